/* global React, ReactDOM, GraphiQL */
// GraphiQL against this server's /graphql (HTTP) and graphql-ws (subscriptions). The API key comes
// from the dashboard's browser session when there is one; GraphiQL never stores headers itself.
// A module: it runs after the classic scripts that define React, ReactDOM and GraphiQL.
import { session } from '/dashboard/api.js';
import { liveUrl } from '/dashboard/live.js';

const apiKey = session.key;
const authorization = apiKey ? `Bearer ${apiKey}` : 'Bearer <your API key>';
const fetcher = GraphiQL.createFetcher({
  url: '/graphql',
  subscriptionUrl: liveUrl(),
  // graphql-ws sends these once per connection: the API key for subscriptions
  wsConnectionParams: () => ({ authorization }),
});
const note = document.getElementById('playground-note');
note.append(
  apiKey
    ? ' · signed in from the dashboard: the Authorization header below is filled in'
    : ' · put your API key in the Authorization header below (or sign in on the dashboard first)',
);
const defaultQuery = `# mailtrace: campaigns, sends, metrics and live events.
# The Authorization header is in the Headers tab below. Press the play button to run.
query Me {
  me { id name }
  campaigns { id name status metrics { sent uniqueOpens openRate clicks } }
}
`;
ReactDOM.createRoot(document.getElementById('graphiql')).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultQuery,
    defaultHeaders: JSON.stringify({ Authorization: authorization }, null, 2),
    defaultEditorToolsVisibility: 'headers',
    shouldPersistHeaders: false,
    isHeadersEditorEnabled: true,
  }),
);

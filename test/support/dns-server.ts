import dns2 from 'dns2';

const { Packet } = dns2;

/** A name's addresses; with `thenA`, the first A question gets `a` and every later one `thenA` (DNS rebinding). */
export interface DnsRecord {
  a?: string[];
  aaaa?: string[];
  thenA?: string[];
}

export interface DnsServer {
  /** `127.0.0.1:port`, as DNS_SERVERS takes it. */
  address: string;
  /** How many A questions each name was asked. */
  asked: Map<string, number>;
  stop(): Promise<void>;
}

/** A real DNS server on loopback (npm dns2, UDP), answering for `records`; other names: NXDOMAIN. */
export async function startDnsServer(records: Record<string, DnsRecord>): Promise<DnsServer> {
  const asked = new Map<string, number>();
  const server = dns2.createServer({
    udp: true,
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const name = question.name.toLowerCase();
      const record = records[name];
      if (!record) {
        response.header.rcode = Packet.RCODE.NXDOMAIN;
        return void send(response);
      }
      let addresses: string[] = [];
      if (question.type === Packet.TYPE.A) {
        const times = asked.get(name) ?? 0;
        asked.set(name, times + 1);
        addresses = (times > 0 && record.thenA) || record.a || [];
      } else if (question.type === Packet.TYPE.AAAA) {
        addresses = record.aaaa ?? [];
      }
      for (const address of addresses) {
        const answer = { name: question.name, type: question.type, class: Packet.CLASS.IN, ttl: 0, address };
        response.answers.push(answer as unknown as (typeof response.answers)[number]);
      }
      void send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  return { address: `127.0.0.1:${addresses.udp!.port}`, asked, stop: () => server.close() };
}

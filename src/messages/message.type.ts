import { ObjectType } from 'type-graphql';
import { Page } from '../graphql/page.js';
import { EmailMessage } from './message.entity.js';

@ObjectType()
export class MessagePage extends Page(EmailMessage) {}

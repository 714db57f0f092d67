// Every connector the hub ships. Adding one means adding its folder and one line here.
import { caldavConnector } from './caldav/index.ts';
import { ConnectorCatalog } from './catalog.ts';
import { emailConnector } from './email/index.ts';
import { googleCalendarConnector } from './googleCalendar/index.ts';
import { graphqlConnector } from './graphql/index.ts';
import { microsoftGraphConnector } from './microsoftGraph/index.ts';
import { placetelConnector } from './placetel/index.ts';
import { restConnector } from './rest/index.ts';
import { salesforceConnector } from './salesforce/index.ts';
import { sipgateConnector } from './sipgate/index.ts';
import { soapConnector } from './soap/index.ts';
import { webhookConnector } from './webhook/index.ts';
import { xentralConnector } from './xentral/index.ts';

export function createConnectorCatalog(): ConnectorCatalog {
  const catalog = new ConnectorCatalog();
  catalog.register(restConnector);
  catalog.register(graphqlConnector);
  catalog.register(xentralConnector);
  catalog.register(salesforceConnector);
  catalog.register(googleCalendarConnector);
  catalog.register(microsoftGraphConnector);
  catalog.register(soapConnector);
  catalog.register(caldavConnector);
  catalog.register(emailConnector);
  catalog.register(webhookConnector);
  catalog.register(placetelConnector);
  catalog.register(sipgateConnector);
  return catalog;
}

// Composes aftersales' federation subgraph with the "orders" subgraph behind a real
// Apollo Gateway (IntrospectAndCompose), both on ephemeral 127.0.0.1 ports, and prints
// one JSON line {"gateway": url, "orders": url} once it serves. Stops on SIGTERM.
//
// Environment: AFTERSALES_SUBGRAPH_URL (aftersales' /subgraph), AFTERSALES_GATEWAY_TOKEN
// (the gateway's own token, used only to read `_service { sdl }` while composing) and
// ORDERS_JSON (the orders the orders subgraph knows).
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { startOrdersSubgraph } from './orders-subgraph.mjs';

const required = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const orders = await startOrdersSubgraph(JSON.parse(required('ORDERS_JSON')));
const gatewayToken = required('AFTERSALES_GATEWAY_TOKEN');
// GraphQLDataSourceRequestKind.LOADING_SCHEMA, which the package does not export.
const LOADING_SCHEMA = 'loading schema';

const gateway = new ApolloGateway({
  supergraphSdl: new IntrospectAndCompose({
    subgraphs: [
      { name: 'orders', url: orders.url },
      { name: 'aftersales', url: required('AFTERSALES_SUBGRAPH_URL') },
    ],
  }),
  buildService({ url }) {
    return new RemoteGraphQLDataSource({
      url,
      willSendRequest({ kind, request, context }) {
        if (kind === LOADING_SCHEMA) {
          request.http.headers.set('authorization', `Bearer ${gatewayToken}`);
        } else if (context?.authorization) {
          // The caller's own token: aftersales answers for the caller's shop only.
          request.http.headers.set('authorization', context.authorization);
        }
      },
    });
  },
});

const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { host: '127.0.0.1', port: 0 },
  context: async ({ req }) => ({ authorization: req.headers.authorization }),
});
process.stdout.write(JSON.stringify({ gateway: url, orders: orders.url }) + '\n');

process.on('SIGTERM', async () => {
  await server.stop();
  await orders.server.stop();
  process.exit(0);
});

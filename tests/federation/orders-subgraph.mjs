// The "orders" subgraph of the gateway test: a stand-in for a company's order service,
// written with @apollo/subgraph. It knows each order's buyer and shares the Order
// entity with aftersales on the key `platform orderNumber`, so the gateway can ask
// aftersales for an order's decision.
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

  enum Platform { PDD KUAISHOU }

  type Order @key(fields: "platform orderNumber") {
    platform: Platform!
    orderNumber: String!
    buyerName: String!
  }

  type Query {
    recentOrders: [Order!]!
  }
`);

/** Starts on an ephemeral 127.0.0.1 port; `orders` are {platform, orderNumber, buyerName}. */
export async function startOrdersSubgraph(orders) {
  const byKey = new Map(orders.map((o) => [`${o.platform}/${o.orderNumber}`, o]));
  const resolvers = {
    Query: { recentOrders: () => orders },
    Order: {
      __resolveReference: (ref) => byKey.get(`${ref.platform}/${ref.orderNumber}`) ?? null,
    },
  };
  const server = new ApolloServer({
    schema: buildSubgraphSchema([{ typeDefs, resolvers }]),
    // Traces go to Apollo's cloud, which this test never talks to.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: 0 } });
  return { server, url };
}

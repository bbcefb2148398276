/**
 * The server side of the dubbo-rpc benchmark, in its own process so the client and the server
 * each have a core, as with the two Java processes: `silk <port>` serves TypeMatrixService.greet
 * over dubbo:// (Silk's DubboProvider), `grpc <port>` serves the same greeting as a grpc-js
 * unary method with the same object as JSON. Prints `READY <port>`.
 */
import * as grpc from '@grpc/grpc-js';
import { DubboProvider, javaObject } from '@silk/platform-sdk/dubbo';
import { ADDRESS, USER, benchService, type JsonUser } from './dubbo-rpc-shared.js';

const [mode, portArg] = process.argv.slice(2);
const port = Number(portArg);

if (mode === 'silk') {
  const provider = new DubboProvider({ port, host: '127.0.0.1', heartbeat: 0 });
  provider.export(benchService, {
    greet: (u: Record<string, unknown>) =>
      javaObject(USER, {
        id: BigInt(u.id as bigint | number) + 1n,
        name: `Hello ${String(u.name)}`,
        age: (u.age as number) + 1,
        favourite: u.favourite,
        addresses: [...(u.addresses as unknown[]), javaObject(ADDRESS, { city: 'Hangzhou', zip: '310000' })],
        scores: u.scores,
      }),
  });
  await provider.start();
  console.log(`READY ${provider.port}`);
} else {
  const server = new grpc.Server();
  const json = {
    serialize: (v: JsonUser) => Buffer.from(JSON.stringify(v)),
    deserialize: (b: Buffer) => JSON.parse(b.toString()) as JsonUser,
  };
  server.addService(
    {
      Greet: {
        path: '/silk.bench.TypeMatrixService/Greet',
        requestStream: false,
        responseStream: false,
        requestSerialize: json.serialize,
        requestDeserialize: json.deserialize,
        responseSerialize: json.serialize,
        responseDeserialize: json.deserialize,
      },
    },
    {
      Greet: (call: grpc.ServerUnaryCall<JsonUser, JsonUser>, cb: grpc.sendUnaryData<JsonUser>) => {
        const u = call.request;
        cb(null, {
          ...u,
          id: String(BigInt(u.id) + 1n),
          name: `Hello ${u.name}`,
          age: u.age + 1,
          addresses: [...u.addresses, { city: 'Hangzhou', zip: '310000' }],
        });
      },
    },
  );
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e) =>
      e ? reject(e) : resolve(),
    ),
  );
  console.log(`READY ${port}`);
}

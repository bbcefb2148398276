/** What the dubbo-rpc benchmark's client and server processes share: the service and its payload. */
import { defineJavaClass, type DubboServiceDefinition } from '@silk/platform-sdk/dubbo';

const P = 'dev.silk.interop.dubbo';
export const USER = `${P}.User`;
export const ADDRESS = `${P}.Address`;
export const COLOR = `${P}.Color`;

defineJavaClass(COLOR, { enumOf: ['RED', 'GREEN', 'BLUE'] });
defineJavaClass(ADDRESS, { fields: { city: 'java.lang.String', zip: 'java.lang.String' } });
defineJavaClass(USER, {
  fields: {
    id: 'long',
    name: 'java.lang.String',
    age: 'int',
    favourite: COLOR,
    addresses: `java.util.List<${ADDRESS}>`,
    scores: 'java.util.Map<java.lang.String, java.util.List<java.lang.Long>>',
  },
});

/** The Java fixture's TypeMatrixService, reduced to the benchmarked method. */
export const benchService: DubboServiceDefinition = {
  interface: `${P}.TypeMatrixService`,
  version: '1.0.0',
  methods: { greet: { parameterTypes: [USER], returnType: USER } },
};

/** The Java side's DubboApp.sampleUser(). */
export const sampleUser = {
  id: 9007199254740993n,
  name: 'Ada',
  age: 36,
  favourite: 'GREEN',
  addresses: [{ city: 'Beijing', zip: '100000' }],
  scores: new Map([['math', [90, 9007199254740993n]]]),
};

/** The same user for grpc-js as JSON (longs as strings, as protobuf's JSON mapping does). */
export interface JsonUser {
  id: string;
  name: string;
  age: number;
  favourite: string;
  addresses: { city: string; zip: string }[];
  scores: Record<string, string[]>;
}

export const sampleJsonUser: JsonUser = {
  id: '9007199254740993',
  name: 'Ada',
  age: 36,
  favourite: 'GREEN',
  addresses: [{ city: 'Beijing', zip: '100000' }],
  scores: { math: ['90', '9007199254740993'] },
};

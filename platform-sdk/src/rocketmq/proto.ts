/**
 * The protobuf enums the npm client's API speaks in. The generated module is CommonJS built by
 * google-protobuf, whose named exports Node's ESM loader cannot see, so it is imported whole.
 */
import definition from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb.js';

export const { MessageType, TransactionResolution } = definition;
export type MessageType = definition.MessageType;
export type TransactionResolution = definition.TransactionResolution;

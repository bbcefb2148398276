/**
 * The protobuf types the npm client's API speaks in. The generated modules are CommonJS built by
 * google-protobuf, whose named exports Node's ESM loader cannot see, so they are imported whole.
 */
import definition from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb.js';
import service from 'rocketmq-client-nodejs/proto/apache/rocketmq/v2/service_pb.js';

export const { Code, MessageType, Resource, TransactionResolution } = definition;
export type MessageType = definition.MessageType;
export type TransactionResolution = definition.TransactionResolution;
export const { AckMessageRequest, ForwardMessageToDeadLetterQueueRequest } = service;
export type SettingsPB = definition.Settings;

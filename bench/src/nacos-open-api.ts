/**
 * The few Nacos Open API calls the benchmarks make as an operator would (publish and delete a
 * dataId, list a service's instances), against the stack's Nacos with its dev user.
 */
import { nacos } from '@silk/stack/config';
import { nacosLogin } from '@silk/stack/nacos';

export const serverAddr = `127.0.0.1:${nacos.port}`;
export const nacosBase = `http://${serverAddr}${nacos.contextPath}`;
export const nacosUser = { username: nacos.username, password: nacos.password };

let token: Promise<string> | undefined;
const accessToken = () => (token ??= nacosLogin());

export async function publishConfig(dataId: string, content: string, group = 'DEFAULT_GROUP'): Promise<void> {
  const body = new URLSearchParams({
    dataId,
    group,
    content,
    type: 'text',
    accessToken: await accessToken(),
  });
  const res = await fetch(`${nacosBase}/v1/cs/configs`, { method: 'POST', body });
  const text = await res.text();
  if (text !== 'true')
    throw new Error(`publishing ${group}/${dataId} to Nacos answered HTTP ${res.status}: ${text}`);
}

export async function deleteConfig(dataId: string, group = 'DEFAULT_GROUP'): Promise<void> {
  const q = new URLSearchParams({ dataId, group, accessToken: await accessToken() });
  await (await fetch(`${nacosBase}/v1/cs/configs?${q.toString()}`, { method: 'DELETE' })).text();
}

/** The ports of the instances Nacos lists for a service (empty when it lists none). */
export async function instancePorts(serviceName: string, group = 'DEFAULT_GROUP'): Promise<number[]> {
  const q = new URLSearchParams({ serviceName, groupName: group, accessToken: await accessToken() });
  const res = await fetch(`${nacosBase}/v1/ns/instance/list?${q.toString()}`);
  if (!res.ok) return [];
  const body = (await res.json()) as { hosts?: { port: number }[] };
  return (body.hosts ?? []).map((h) => h.port);
}

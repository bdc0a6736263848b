// The declarations `import 'zkit'` resolves to (index.d.mts) under Node's ESM resolution: checked by
// scripts/test-npm with tsc --strict, never run. They must be the full typed surface, as for require.
import { Zerokie, NotFoundError, ZkitError } from 'zkit';
import type { App, ClientOptions } from 'zkit';

const options: ClientOptions = { baseUrl: 'http://127.0.0.1:4010/zerokie', maxRetries: 1 };
const zerokie = new Zerokie(options);

export async function appOrNull(name: string): Promise<App | null> {
  try {
    return await zerokie.getApp({ name });
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error as ZkitError;
  }
}

export async function mistakesTscCatches(): Promise<void> {
  // @ts-expect-error: a misspelt parameter
  await zerokie.createApp({ name: 'x', imgae: 'nginx' });
  // @ts-expect-error: an app's name is a string
  const name: number = (await zerokie.getApp({ name: 'x' })).name;
  console.log(name);
}

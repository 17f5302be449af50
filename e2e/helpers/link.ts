/**
 * Reads a page's address-bar link as the app does (version 1 or 2, src/state/linkCodec.ts) and gives the recipe
 * back as readable version 1 parameters, page settings included, so specs can check single values.
 */
import { decodeLink } from '../../src/state/linkCodec';
import { encodeRecipe } from '../../src/state/urlCodec';

export async function linkParams(url: string): Promise<URLSearchParams> {
  const { search } = new URL(url);
  const { recipe } = await decodeLink(search);
  const params = new URLSearchParams(encodeRecipe(recipe));
  for (const [key, value] of new URLSearchParams(search)) if (key === 'backend' || key === 'hub') params.append(key, value);
  return params;
}

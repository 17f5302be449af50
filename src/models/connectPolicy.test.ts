// connectRefusal against the policy's own source list (scripts/csp.ts builds connect-src from the same list).
import { describe, expect, it } from 'vitest';
import { cspDirectives } from '../../scripts/csp';
import { connectRefusal } from './connectPolicy';

const site = 'https://studio.example.org';
const policy = cspDirectives()['connect-src'];

describe('connectRefusal', () => {
  it('lets the site, the Hub and its CDNs through, as the built CSP does', () => {
    for (const url of [`${site}/models/toy-shapes/unet/model.onnx`, '/models/x/', 'https://huggingface.co/a/b/resolve/main/unet/model.onnx', 'https://cdn-lfs.huggingface.co/x', 'https://cas-bridge.xethub.hf.co/x']) {
      expect(connectRefusal(url, policy, site)).toBeUndefined();
    }
  });

  it('names the refused origin and what a host can do', () => {
    expect(connectRefusal('https://hf-mirror.com/a/b/resolve/main/x', policy, site)).toMatch(/not from https:\/\/hf-mirror\.com\. .*P2P_CSP_CONNECT="https:\/\/hf-mirror\.com"/);
    expect(connectRefusal('http://huggingface.co/x', policy, site)).toMatch(/not from http:\/\/huggingface\.co/);
    expect(connectRefusal('https://evilhuggingface.co/x', policy, site)).toBeDefined();
    expect(connectRefusal('https://huggingface.co:8443/x', policy, site)).toBeDefined();
  });

  it('follows extra sources with any-port wildcards, and applies no policy when there is none (dev server)', () => {
    const withMock = cspDirectives(['http://127.0.0.1:*'])['connect-src'];
    expect(connectRefusal('http://127.0.0.1:38211/local/toy/resolve/main/x', withMock, site)).toBeUndefined();
    expect(connectRefusal('http://localhost:38211/x', withMock, site)).toBeDefined();
    expect(connectRefusal('https://anywhere.example/x', undefined, site)).toBeUndefined();
  });
});

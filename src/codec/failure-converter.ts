/**
 * The failure converter of an encrypting data converter: failure messages and stack traces go into an encoded
 * payload (the codec encrypts it) instead of the plaintext `message` and `stack_trace` fields, since they can quote
 * what an API answered. Workers load it by path (`failureConverterPath`) because workflow code runs in a sandbox that
 * bundles its own copy, so this module must stay bundle-safe: no Node modules.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

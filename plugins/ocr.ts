import { expectAnswer, type ProbePlugin } from '../src/core/plugin.js';
import { probePdf } from '../src/core/media.js';

/**
 * OCR (Mistral-style `/ocr`, as LiteLLM's health check calls it): a one-page PDF made in code,
 * sent as a base64 `document_url`; healthy when a page came back. One page is the smallest
 * billable unit.
 */
const ocr: ProbePlugin = {
  mode: 'ocr',
  description: 'OCR of a one-page PDF made in code (one page)',
  async probe(_target, ctx) {
    const res = await ctx.call('ocr', {
      document: { type: 'document_url', document_url: `data:application/pdf;base64,${probePdf(ctx.prompt).toString('base64')}` },
    });
    // Possibly without text: a model may read nothing in a page, and still have worked.
    expectAnswer(res, 'pages', 'non-empty list', 'OCR pages');
    return { healthy: true };
  },
};

export default ocr;

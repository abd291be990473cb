import { Controller, Get, Header, Param, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DASHBOARD_CSS, DASHBOARD_HTML } from './dashboard-page';
import { DASHBOARD_JS } from './dashboard-script';
import { GatewayError } from '../gateway-error';

/** The page may load only its own scripts, styles and data: nothing inline, nothing from elsewhere, no framing. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** uPlot, served from node_modules (the exact version package.json pins): read once, on first use. */
const VENDOR: Record<string, { file: string; type: string }> = {
  'uPlot.iife.min.js': { file: 'uPlot.iife.min.js', type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { file: 'uPlot.min.css', type: 'text/css; charset=utf-8' },
};
const vendorCache = new Map<string, string>();

function vendor(name: string): string {
  let text = vendorCache.get(name);
  if (text === undefined) {
    const dist = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
    text = readFileSync(join(dist, VENDOR[name].file), 'utf8');
    vendorCache.set(name, text);
  }
  return text;
}

/**
 * `GET /dashboard`: a static page and script (no data, so no key needed to load it); the script asks
 * for the key in a form, keeps it in the tab's sessionStorage and sends it as a bearer header to the
 * JSON routes it polls. The key never travels in a URL.
 */
@Controller('dashboard')
export class DashboardController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', CSP)
  @Header('cache-control', 'no-store')
  @Header('referrer-policy', 'no-referrer')
  @Header('x-content-type-options', 'nosniff')
  page(): string {
    return DASHBOARD_HTML;
  }

  @Get('app.js')
  @Header('content-type', 'text/javascript; charset=utf-8')
  @Header('x-content-type-options', 'nosniff')
  script(): string {
    return DASHBOARD_JS;
  }

  @Get('app.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('x-content-type-options', 'nosniff')
  styles(): string {
    return DASHBOARD_CSS;
  }

  @Get('vendor/:file')
  @Header('x-content-type-options', 'nosniff')
  @Header('cache-control', 'public, max-age=86400')
  vendorFile(@Param('file') file: string, @Res({ passthrough: true }) reply: FastifyReply): string {
    if (!Object.hasOwn(VENDOR, file)) throw new GatewayError(404, 'not_found', 'invalid_request_error', 'no such dashboard file', 'file');
    void reply.header('content-type', VENDOR[file].type);
    return vendor(file);
  }
}

// Every output of `palisade report`, each a pure function of the report. The Record makes the
// type checker insist that each format has a renderer.
import type { ComplianceReport } from './report-model';
import { renderHtml } from './render-html';
import { renderText, type Paint } from './render-text';

export type ReportFormat = 'text' | 'json' | 'html';
export type Renderer = (report: ComplianceReport, paint?: Paint) => string;

export const RENDERERS: Record<ReportFormat, Renderer> = {
  text: renderText,
  json: (report) => `${JSON.stringify(report, null, 2)}\n`,
  html: renderHtml,
};

export const REPORT_FORMATS = Object.keys(RENDERERS) as ReportFormat[];

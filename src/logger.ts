// pino JSON logs. Secret contents never reach a log line: the decision line carries no object,
// and redaction guards any line that would (debug logging of a review, an error's context).
import pino, { type Logger, type LevelWithSilent } from 'pino';

const SECRET_PATHS = ['data', 'stringData'].flatMap((field) =>
  ['object', 'oldObject'].flatMap((obj) => [
    `review.request.${obj}.${field}`,
    `request.${obj}.${field}`,
    `${obj}.${field}`,
  ]),
);

export function createLogger(level: LevelWithSilent, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'palisade' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: SECRET_PATHS, censor: '[REDACTED]' },
    },
    destination,
  );
}

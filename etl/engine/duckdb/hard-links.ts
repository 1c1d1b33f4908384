/**
 * What link() says on a filesystem without hard links (exFAT and FAT, the usual USB drive; EPERM there), asked once a
 * file beside the link was written: it is then no permission refusal, and a file is made in place with O_EXCL instead.
 */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

export const hardLinksRefused = (error: unknown): boolean => NO_HARD_LINKS.has((error as NodeJS.ErrnoException)?.code ?? '');

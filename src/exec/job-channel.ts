/**
 * One channel for all jobs, named so that the main thread and every worker
 * share it; a message names its job. Cheaper than a MessageChannel per job,
 * which matters when hundreds of small gates run. Its own module so that the
 * main thread can name it without loading the worker's code.
 */
export const CHANNEL = 'orchestra:jobs';

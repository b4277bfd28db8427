// Keep library logs out of test output unless asked for.
process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'error';

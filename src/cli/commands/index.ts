/** Extra `dataops` commands, one file each (dlq, catalog, backup, restore …). Add one line per command file. */
import type { Command } from 'commander';

/** A function that adds commands to the program. */
export type RegisterCommand = (program: Command) => void;

/** Every extra command. */
export const EXTRA_COMMANDS: RegisterCommand[] = [];

/** Extra `dataops` commands, one file each (dlq, catalog, backup, restore …). Add one line per command file. */
import type { Command } from 'commander';
import { registerBackup } from './backup';
import { registerCatalog } from './catalog';
import { registerRestore } from './restore';
import { registerDlq } from './dlq';

/** A function that adds commands to the program. */
export type RegisterCommand = (program: Command) => void;

/** Every extra command. */
export const EXTRA_COMMANDS: RegisterCommand[] = [registerDlq, registerBackup, registerRestore, registerCatalog];

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { COMMANDS, registerCommands } from '../../src/cli/commands.js';

const registered = async (firstArgument: string | undefined) => {
  const program = new Command();
  await registerCommands(program, firstArgument);
  return program.commands.map((command) => command.name());
};

test('the command table: each entry registers exactly the command of its name; help and unknown words get every command', async () => {
  const names = COMMANDS.map((command) => command.name);
  for (const name of names) assert.deepEqual(await registered(name), [name], `autocm ${name} loads its own file only`);
  assert.deepEqual(await registered(undefined), names);
  assert.deepEqual(await registered('--help'), names);
  assert.deepEqual(await registered('predcit'), names, 'a typo still gets the suggestions of every command');
  assert.equal(new Set(names).size, names.length);
});

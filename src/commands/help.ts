// `airconn help [COMMAND...|TOPIC]`: a command's help (as its --help shows it), a help topic, or with nothing the
// program's help, which lists the commands and the topics. It replaces commander's built-in help command, which knows
// no topics. Light: the topic texts load (import()) only when a topic is asked for; no dependencies are built.
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { HELP_TOPICS, isTopicName } from "../help/index.js";
import { examples } from "./common.js";

export function register(program: Command): void {
  program
    .command("help")
    .description("show help for a command, or a help topic")
    .argument("[command-or-topic...]", `a command (e.g. list, profile set) or a topic: ${topicNames()}`)
    .addHelpText("after", examples(["$ airconn help list", "$ airconn help profile set", "$ airconn help environment"]))
    .action(async (words: string[], _o: unknown, cmd: Command) => {
      const write = (s: string) => cmd.configureOutput().writeOut!(s);
      if (!words.length) return program.outputHelp();
      const [first, ...rest] = words as [string, ...string[]];
      if (isTopicName(first)) {
        if (rest.length)
          throw new UsageError(`the help topic ${first} takes no further words, got "${rest.join(" ")}"`);
        const { TOPICS } = await import("../help/topics.js");
        const { topicText } = await import("../help/text.js");
        return write(topicText(TOPICS[first]));
      }
      let target = program;
      for (const w of words) {
        const sub = target.commands.find((c) => c.name() === w || c.aliases().includes(w));
        if (!sub) {
          throw new UsageError(
            target === program
              ? `unknown command or help topic "${w}"`
              : `"airconn ${commandPath(target)}" has no subcommand "${w}"`,
            target === program
              ? `commands: airconn help; topics: ${topicNames()}`
              : `see airconn help ${commandPath(target)}`,
          );
        }
        target = sub;
      }
      target.outputHelp();
    });
}

const topicNames = () => HELP_TOPICS.map((t) => t.name).join(", ");

/** "profile set" for `airconn profile set`. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

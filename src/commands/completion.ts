// `airconn completion bash|zsh|fish`: prints the completion script (the same text as completions/<file>).
import type { Command } from "commander";
import type { CommandContext } from "./kit.js";
import { examples } from "./common.js";
import { isSea } from "node:sea";
import { completionScript, SHELLS, standaloneSelf, type Shell } from "../completion/scripts.js";

export function register(program: Command, ctx: CommandContext): void {
  program
    .command("completion")
    .description("print a shell completion script (bash needs the bash-completion package)")
    .addArgument(program.createArgument("<shell>", "the shell").choices(SHELLS))
    .addHelpText(
      "after",
      examples([
        "$ airconn completion bash > ~/.local/share/bash-completion/completions/airconn",
        "$ airconn completion zsh > ~/.zfunc/_airconn        # with fpath+=(~/.zfunc) before compinit in ~/.zshrc",
        "$ airconn completion fish > ~/.config/fish/completions/airconn.fish",
        "$ airconn completion bash | sudo tee /usr/share/bash-completion/completions/airconn >/dev/null   # in an image build (CI)",
      ]),
    )
    .action((shell: string, _o: unknown, cmd: Command) =>
      ctx.deps(cmd).io.out(completionScript(shell as Shell, standaloneSelf(isSea, process.execPath, process.argv0))),
    );
}

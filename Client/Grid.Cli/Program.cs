using Grid.Cli.Commands;

return await GridCommand.InvokeAsync(args).ConfigureAwait(false);

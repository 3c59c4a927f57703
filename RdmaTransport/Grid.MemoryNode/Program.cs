using System.CommandLine;
using Grid.MemoryNode;

var command = MemoryNodeCommand.Create();
return await command.Parse(args).InvokeAsync().ConfigureAwait(false);

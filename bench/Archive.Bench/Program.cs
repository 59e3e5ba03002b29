using Archive.Bench;

// One harness, one command per benchmark. Each command takes its inputs as arguments and ends by
// printing its figures as a table. Run: dotnet run -c Release --project bench/Archive.Bench -- <command> [options]
var commands = BenchCommands.All.ToDictionary(c => c.Name, StringComparer.Ordinal);

if (args.Length == 0 || args[0] is "-h" or "--help" || !commands.TryGetValue(args[0], out var command))
{
    Console.Error.WriteLine("usage: Archive.Bench <command> [options]\n\ncommands:");
    foreach (var c in BenchCommands.All)
    {
        Console.Error.WriteLine($"  {c.Name,-24} {c.Description}");
    }

    return args.Length == 0 || args[0] is "-h" or "--help" ? 0 : 2;
}

return await command.RunAsync(BenchArgs.Parse(args.AsSpan(1).ToArray())).ConfigureAwait(false);

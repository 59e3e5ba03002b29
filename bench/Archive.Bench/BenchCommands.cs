namespace Archive.Bench;

/// <summary>A benchmark command.</summary>
internal interface IBenchCommand
{
    string Name { get; }

    string Description { get; }

    Task<int> RunAsync(BenchArgs args);
}

/// <summary>The registry of commands. Add a command here (one file per command).</summary>
internal static partial class BenchCommands
{
    public static IReadOnlyList<IBenchCommand> All { get; } = Build();

    private static List<IBenchCommand> Build()
    {
        var list = new List<IBenchCommand>();
        Register(list);
        return list.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    // Each command file adds itself in a partial method implementation file, see Commands.cs.
    static partial void Register(List<IBenchCommand> list);
}

/// <summary>--name value options and --flag switches.</summary>
internal sealed class BenchArgs
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public static BenchArgs Parse(string[] args)
    {
        var result = new BenchArgs();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"unexpected argument '{args[i]}'");
            }

            var name = args[i][2..];
            string? value = null;
            if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }

            result._values[name] = value;
        }

        return result;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public string Required(string name)
        => _values.TryGetValue(name, out var v) && v is not null ? v : throw new ArgumentException($"--{name} is required");

    public string? Optional(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public int Int(string name, int fallback) => _values.TryGetValue(name, out var v) && v is not null ? int.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public long Long(string name, long fallback) => _values.TryGetValue(name, out var v) && v is not null ? long.Parse(v, System.Globalization.CultureInfo.InvariantCulture) : fallback;
}

namespace Archive.Bench;

internal static partial class BenchCommands
{
    static partial void Register(List<IBenchCommand> list)
    {
        // One line per command; keep sorted.
    }
}

namespace Archive.Bench;

internal static partial class BenchCommands
{
    static partial void Register(List<IBenchCommand> list)
    {
        // One line per command; keep sorted.
        list.Add(new ApiLoadCommand());
        list.Add(new AuditAppendCommand());
        list.Add(new ExchangeCommand());
        list.Add(new ExportCommand());
        list.Add(new ExtractCommand());
        list.Add(new FixityCommand());
        list.Add(new IngestCommand());
        list.Add(new MigrateCommand());
        list.Add(new ReindexCommand());
        list.Add(new S3ThroughputCommand());
        list.Add(new SearchQualityCommand());
        list.Add(new SearchSpeedCommand());
        list.Add(new WritePathCommand());
    }
}

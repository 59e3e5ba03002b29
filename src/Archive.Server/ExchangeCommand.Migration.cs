using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Archive;
using Archive.Migration;
using Archive.Records;

/// <summary>
/// The <c>migrate</c> verbs (issue #19 item 2), offline on the data folder: import an e-office export (folder, ZIP, tar
/// or .tar.gz with manifest.csv or manifest.json) as a resumable job, read a job's progress and its error report — the
/// same engine service (<see cref="MigrationService"/>) as <c>/migrations</c>, as the operator (every fonds).
/// </summary>
internal sealed partial class ExchangeCommand
{
    /// <summary>The verbs of the group (a property: <c>VerbList</c>, in the other part of the class, is initialised from it).</summary>
    private static Verb[] MigrationVerbs =>
    [
        new("migrate run", "PATH | --resume JOB_ID",
            "Imports an e-office export (a folder, .zip, .tar or .tar.gz holding manifest.csv or manifest.json; see docs/api.md#bulk-migration) as a job: each record file whole or not at all, bad rows reported, files already imported skipped. --resume continues a stopped job from its checkpoint. Exit 0 all imported or skipped, 1 rows reported or the export refused.",
            ["resume"], [], "PATH"),
        new("migrate status", "[JOB_ID]",
            "Shows a migration job's state and progress (rows, record files and documents imported, skipped, failed), or lists the jobs.",
            [], [], "JOB_ID"),
        new("migrate errors", "JOB_ID [--format csv|json] [--out FILE]",
            "Writes a job's error report (row, fileCode, field, rule, Vietnamese message) as CSV (default, UTF-8 with BOM) or JSON, to FILE or stdout.",
            ["format", "out"], [], "JOB_ID"),
    ];

    private string? CheckMigration() => _verb!.Name switch
    {
        "migrate run" => (_argument is not null) == _options.ContainsKey("resume") ? "Give the export PATH, or --resume JOB_ID (not both)." : null,
        "migrate errors" => _argument is null ? "Missing JOB_ID."
            : _options.TryGetValue("format", out var format) && format.ToLowerInvariant() is not ("csv" or "json") ? $"Option --format is csv or json, not '{format}'." : null,
        _ => null,
    };

    /// <summary>Runs a <c>migrate</c> verb; the caller answers refusals (exit 3) and failures (exit 4).</summary>
    private async Task<int> RunMigrationAsync(IServiceProvider services, TextWriter output, TextWriter error, ArchiveUser user, CancellationToken cancellationToken)
    {
        var migrations = services.GetRequiredService<MigrationService>();
        switch (_verb!.Name)
        {
            case "migrate run":
                var job = _options.TryGetValue("resume", out var resume)
                    ? await migrations.GetAsync(resume, null, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("migration", resume)
                    : await migrations.CreateLocalAsync(_argument!, user, cancellationToken).ConfigureAwait(false);
                await error.WriteLineAsync($"Migration {job.Id} ({job.Source.ToString().ToLowerInvariant()} {job.SourceName}); stopped, it continues with: migrate run --resume {job.Id}").ConfigureAwait(false);
                var clock = Stopwatch.StartNew();
                var last = TimeSpan.Zero;
                var progress = new InlineProgress(p =>
                {
                    if (clock.Elapsed - last >= TimeSpan.FromSeconds(2) || p.Phase == "completed")
                    {
                        last = clock.Elapsed;
                        error.WriteLine(Describe(p));
                    }
                });
                job = await migrations.RunAsync(job.Id, progress, cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"{job.Id}\t{job.State.ToString().ToLowerInvariant()}\t{Describe(job.Progress)}").ConfigureAwait(false);
                if (job.Error is not null)
                {
                    await output.WriteLineAsync("Refused as a whole, nothing imported: " + job.Error).ConfigureAwait(false);
                }

                if (job.ErrorParts > 0)
                {
                    await output.WriteLineAsync($"Error report: archive-server migrate errors {job.Id} --out errors.csv").ConfigureAwait(false);
                }

                return job.State == MigrationJobState.Completed && job.Progress.RowsFailed == 0 ? Success : Rejected;

            case "migrate status" when _argument is null:
                foreach (var j in await migrations.ListAsync(null, 100, cancellationToken).ConfigureAwait(false))
                {
                    await output.WriteLineAsync($"{j.Id}\t{j.State.ToString().ToLowerInvariant()}\t{j.RequestedBy}\t{j.SourceName}\t{Describe(j.Progress)}").ConfigureAwait(false);
                }

                return Success;

            case "migrate status":
                var found = await migrations.GetAsync(_argument, null, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("migration", _argument);
                await output.WriteLineAsync($"{found.Id}\t{found.State.ToString().ToLowerInvariant()}\t{found.Source.ToString().ToLowerInvariant()} {found.SourceName}").ConfigureAwait(false);
                await output.WriteLineAsync(Describe(found.Progress)).ConfigureAwait(false);
                if (found.Checkpoint is not null)
                {
                    await output.WriteLineAsync("checkpoint: " + found.Checkpoint).ConfigureAwait(false);
                }

                if (found.Error is not null)
                {
                    await output.WriteLineAsync("error: " + found.Error).ConfigureAwait(false);
                }

                return Success;

            default: // migrate errors
                var errors = await migrations.GetErrorsAsync(_argument!, null, cancellationToken).ConfigureAwait(false) ?? throw new ArchiveNotFoundException("migration", _argument!);
                var json = string.Equals(_options.GetValueOrDefault("format"), "json", StringComparison.OrdinalIgnoreCase);
                Stream target = _options.TryGetValue("out", out var path) ? new FileStream(path, FileMode.Create, FileAccess.Write) : Console.OpenStandardOutput();
                await using (target.ConfigureAwait(false))
                {
                    if (json)
                    {
                        await JsonSerializer.SerializeAsync(target, errors, MigrationReportJson, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await MigrationService.WriteCsvAsync(errors, target, cancellationToken).ConfigureAwait(false);
                    }
                }

                return Success;
        }
    }

    private static readonly JsonSerializerOptions MigrationReportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Describe(MigrationProgress p) => string.Create(CultureInfo.InvariantCulture,
        $"{p.Phase}: rows {p.RowsDone}/{p.RowsTotal} ({p.RowsFailed} reported); record files {p.RecordFilesImported} imported, {p.RecordFilesSkipped} skipped, {p.RecordFilesFailed} not imported; documents {p.DocumentsImported} imported, {p.DocumentsSkipped} skipped, {p.DocumentsFailed} not imported");

    private sealed class InlineProgress(Action<MigrationProgress> report) : IProgress<MigrationProgress>
    {
        public void Report(MigrationProgress value) => report(value);
    }
}

using Archive;
using Archive.Backup;
using Archive.Hosting;
using Archive.Indexing;
using Archive.Records;
using Archive.Security;
using Microsoft.Extensions.Options;

/// <summary>
/// Backup and restore (issue #18 item 5): <c>backup create</c> (online: it reads the store while a server runs on it),
/// <c>backup verify</c> (needs only the set) and <c>backup restore</c> (offline, into a new or empty data folder, then
/// rebuilds the search index there). The engine's <see cref="BackupService"/> does the work.
/// </summary>
internal sealed partial class ExchangeCommand
{
    private static Verb[] BackupVerbs =>
    [
        new("backup create", "--to DIR [--incremental-from SET]",
            "Backs up the system of record into the new set folder DIR while the server may keep running (consistent per record file; the audit trail up to a point of its chain): full, or incremental on the set SET in the same parent folder (only files not already in SET's chain are copied). The manifest is sealed with Archive:Exchange:Seal when configured.",
            ["to", "incremental-from"], [], null),
        new("backup verify", "SET",
            "Verifies a backup set and its chain without the service: manifest digest and seal, every file present with its size and SHA-256. Changes nothing. Exit 0 sound, 1 problems (each named).",
            [], [], "SET"),
        new("backup restore", "SET --data DIR",
            "Restores a set into the new or empty data folder DIR (the store configured, e.g. an empty bucket, with Archive:Storage:Provider=S3): verifies every file first (nothing is written when one fails, exit 1), copies, then rebuilds the search index. Start the server on DIR afterwards.",
            ["data"], [], "SET"),
    ];

    /// <summary><c>backup create</c> and <c>backup verify</c> run beside a server on the same data folder: they only read the store (and append to the audit trail, which several processes may).</summary>
    private static bool BackupRunsOnline(string verb) => verb is "backup create" or "backup verify";

    /// <summary><c>backup restore --data DIR</c> runs the engine on DIR.</summary>
    private static string[] BackupHostArgs(Verb verb, Dictionary<string, string> options)
        => verb.Name == "backup restore" && options.TryGetValue("data", out var data) ? ["--Archive:DataPath=" + Path.GetFullPath(data)] : [];

    /// <summary>What a backup verb lacks: <paramref name="missingArgument"/> (the SET's usage error) or a required option.</summary>
    private string? CheckBackup(string? missingArgument, Func<string[], string?> need) => _verb!.Name switch
    {
        "backup create" => need(["to"]),
        "backup restore" => missingArgument ?? need(["data"]),
        _ => missingArgument,
    };

    private sealed partial class Run
    {
        private ArchiveCaller Operator => ArchiveCaller.Authenticated(User, [ArchiveRoles.Administrator], principalId: "cli:" + User.Name);

        public async Task<int> BackupCreateAsync()
        {
            var backups = services.GetRequiredService<BackupService>();
            var certificate = services.GetService<Archive.Exchange.PackageSeals>()?.SigningCertificate;
            if (certificate is null)
            {
                await error.WriteLineAsync("Warning: the manifest will be UNSEALED (no Archive:Exchange:Seal certificate); it still carries its SHA-256.").ConfigureAwait(false);
            }

            Progress = new TerminalProgress(error, "Backing up", !Console.IsErrorRedirected);
            var progress = new SyncProgress<BackupProgress>(p => Progress.Report((int)Math.Min(p.Files, int.MaxValue), 0, p.Bytes, 0));
            var result = await backups.CreateAsync(Option("to")!, Option("incremental-from"), Operator, progress, cancellationToken).ConfigureAwait(false);
            Progress.Complete();
            var m = result.Manifest;
            await output.WriteLineAsync($"Backup set {m.Id} ({m.Kind.ToString().ToLowerInvariant()}{(m.Base is null ? string.Empty : ", on " + m.Base.Id)}): {result.Path}").ConfigureAwait(false);
            await output.WriteLineAsync($"Objects: {m.Objects}; files: {m.Files} ({m.Bytes} bytes); stored in this set: {m.FilesStored} files ({m.BytesStored} bytes)").ConfigureAwait(false);
            await output.WriteLineAsync($"Audit trail up to record {m.AuditSequence}").ConfigureAwait(false);
            await output.WriteLineAsync($"Manifest sha256: {result.ManifestSha256}; {(result.Sealed ? "sealed" : "unsealed")}").ConfigureAwait(false);
            return Success;
        }

        public async Task<int> BackupVerifyAsync()
        {
            var report = await services.GetRequiredService<BackupService>().VerifyAsync(command._argument!, null, cancellationToken).ConfigureAwait(false);
            return await ReportAsync(report).ConfigureAwait(false);
        }

        public async Task<int> BackupRestoreAsync()
        {
            var options = services.GetRequiredService<IOptions<ArchiveOptions>>().Value;
            var index = Path.Combine(options.DataPath, "index");
            if (Directory.Exists(index) && Directory.EnumerateFiles(index, "*", SearchOption.AllDirectories).Any())
            {
                throw new ArchiveValidationException("data", "backup.target-not-empty", $"The data folder '{options.DataPath}' is not empty: it holds a search index ({index}). Restore only into a new or empty data folder.");
            }

            Progress = new TerminalProgress(error, "Restoring", !Console.IsErrorRedirected);
            var progress = new SyncProgress<BackupProgress>(p => Progress.Report((int)Math.Min(p.Files, int.MaxValue), (int)Math.Min(p.FilesTotal ?? 0, int.MaxValue), p.Bytes, 0));
            var result = await services.GetRequiredService<BackupService>().RestoreAsync(command._argument!, Operator, progress, cancellationToken).ConfigureAwait(false);
            Progress.Complete();
            if (!result.Restored)
            {
                await error.WriteLineAsync("Not restored: the set failed verification; nothing was written.").ConfigureAwait(false);
                return await ReportAsync(result.Verification).ConfigureAwait(false);
            }

            await output.WriteLineAsync($"Restored backup set {result.Verification.Manifest!.Id} into {options.DataPath}: {result.Files} files, {result.Bytes} bytes").ConfigureAwait(false);
            await error.WriteLineAsync("Rebuilding the search index...").ConfigureAwait(false);
            var reindex = await services.GetRequiredService<ReindexService>().RunAsync(new ReindexRequest { Restart = true }, null, cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"Search index rebuilt: {reindex.State}, {reindex.Processed} record files, {reindex.DocumentsIndexed} search documents").ConfigureAwait(false);
            return reindex.State == ReindexState.Completed ? Success : Failure;
        }

        private async Task<int> ReportAsync(BackupVerification report)
        {
            var m = report.Manifest;
            await output.WriteLineAsync($"Backup set {report.Path}" + (m is null ? string.Empty : $": {m.Id}, {m.Kind.ToString().ToLowerInvariant()}, {m.CompletedAt:O}, engine {m.EngineVersion}")).ConfigureAwait(false);
            if (report.Chain.Count > 1)
            {
                await output.WriteLineAsync("Chain: " + string.Join(" <- ", report.Chain)).ConfigureAwait(false);
            }

            await output.WriteLineAsync($"Files checked: {report.Files} ({report.Bytes} bytes); seal: {report.Signer ?? "none valid"}").ConfigureAwait(false);
            foreach (var p in report.Problems)
            {
                await output.WriteLineAsync($"  {p.Path}: {p.Message} [{p.Rule}]").ConfigureAwait(false);
            }

            if (report.MoreProblems)
            {
                await output.WriteLineAsync("  (more problems not listed)").ConfigureAwait(false);
            }

            await output.WriteLineAsync(report.Sound ? "Sound." : $"NOT sound: {report.Problems.Count}{(report.MoreProblems ? "+" : string.Empty)} problem(s).").ConfigureAwait(false);
            return report.Sound ? Success : Rejected;
        }
    }
}

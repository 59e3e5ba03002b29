using System.ComponentModel.DataAnnotations;

namespace Archive.Migration;

/// <summary>The state of a migration job.</summary>
public enum MigrationJobState
{
    /// <summary>Accepted, not yet started (or waiting to be taken up again after a restart).</summary>
    Queued = 0,

    /// <summary>Reading the manifest or importing.</summary>
    Running = 1,

    /// <summary>Every row was handled: imported, skipped (already imported) or reported.</summary>
    Completed = 2,

    /// <summary>The export as a whole was refused (no or a malformed manifest, a hostile archive entry): nothing was imported.</summary>
    Failed = 3,
}

/// <summary>What kind of export a migration reads.</summary>
public enum MigrationSourceKind
{
    /// <summary>A folder (under <see cref="MigrationOptions.ImportRoot"/> over REST; any folder on the command line).</summary>
    Folder = 0,

    /// <summary>A ZIP file.</summary>
    Zip = 1,

    /// <summary>A tar file, optionally gzip-compressed (<c>.tar.gz</c>).</summary>
    Tar = 2,
}

/// <summary>Counters of a migration job, saved with every checkpoint and readable while it runs.</summary>
public sealed record MigrationProgress
{
    /// <summary>What the job is doing: <c>queued</c>, <c>preparing</c> (unpacking), <c>reading-manifest</c>, <c>importing</c>, <c>completed</c>, <c>failed</c>.</summary>
    public string Phase { get; init; } = "queued";

    /// <summary>Rows in the manifest (CSV: data lines; JSON: content files, or documents without content); known once the manifest is read.</summary>
    public long RowsTotal { get; init; }

    /// <summary>Rows handled (imported, skipped or failed).</summary>
    public long RowsDone { get; init; }

    /// <summary>Rows reported in the error report (each bad row, once).</summary>
    public long RowsFailed { get; init; }

    /// <summary>Record files in the manifest; known once the manifest is read.</summary>
    public long RecordFilesTotal { get; init; }

    /// <summary>Record files imported by this job.</summary>
    public long RecordFilesImported { get; init; }

    /// <summary>Record files already in the archive with the same content (not imported again).</summary>
    public long RecordFilesSkipped { get; init; }

    /// <summary>Record files not imported because a row of theirs is bad (or one with the same code but other content exists).</summary>
    public long RecordFilesFailed { get; init; }

    /// <summary>Documents imported.</summary>
    public long DocumentsImported { get; init; }

    /// <summary>Documents of skipped record files.</summary>
    public long DocumentsSkipped { get; init; }

    /// <summary>Documents of failed record files.</summary>
    public long DocumentsFailed { get; init; }
}

/// <summary>One line of a migration's error report.</summary>
public sealed record MigrationRowError
{
    /// <summary>The row: the CSV record number counting the header as 1 (so the first data row is 2, as a spreadsheet shows it), or the 1-based position of the record file in a JSON manifest; 0 for the export as a whole.</summary>
    public required long Row { get; init; }

    /// <summary>The record file code the row names (null when it names none).</summary>
    public string? FileCode { get; init; }

    /// <summary>The field: a manifest column (<c>contentPath</c>, <c>sha256</c>, <c>issuedDate</c>…), in a JSON manifest its path (<c>documents[0].contents[1].sha256</c>); <c>manifest</c> or <c>entry</c> for the export as a whole.</summary>
    public required string Field { get; init; }

    /// <summary>The rule broken (<c>migration.content-missing</c>, <c>content.sha256-mismatch</c>, <c>format</c>…).</summary>
    public required string Rule { get; init; }

    /// <summary>The message in Vietnamese (the clerk's language), when a localizer is registered; else the engine's English message.</summary>
    public required string Message { get; init; }

    /// <summary>The engine's English message.</summary>
    public string? Detail { get; init; }
}

/// <summary>A bulk migration from an e-office export, run as a resumable job (<see cref="MigrationService"/>).</summary>
public sealed record MigrationJob
{
    /// <summary>The job's id (<c>yyyyMMddTHHmmssZ-xxxxxxxx</c>).</summary>
    public required string Id { get; init; }

    /// <summary>Folder, ZIP or tar.</summary>
    public required MigrationSourceKind Source { get; init; }

    /// <summary>The folder read (folder jobs), or the name the upload was given.</summary>
    public string? SourceName { get; init; }

    /// <summary>Where the export is on the machine that runs the job (folder jobs and the command line's files); null for an upload, kept in the object store. Not shown over REST.</summary>
    public string? SourcePath { get; init; }

    /// <summary>Whether the tar is gzip-compressed.</summary>
    public bool Gzip { get; init; }

    /// <summary>State.</summary>
    public required MigrationJobState State { get; init; }

    /// <summary>Who started it (the audit trail's actor).</summary>
    public required string RequestedBy { get; init; }

    /// <summary>The roles the job runs with (those of the caller who started it; none for the operator on the command line).</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The agencies the job runs for (those of the caller who started it).</summary>
    public IReadOnlyList<string> Agencies { get; init; } = [];

    /// <summary>Whether the caller who started it was cleared for Secret records.</summary>
    public bool SecretClearance { get; init; }

    /// <summary>Whether the job runs as the operator (command line on the data folder: every fonds).</summary>
    public bool Operator { get; init; }

    /// <summary>When it was started.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its state or progress was last saved.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When it completed or failed.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Progress.</summary>
    public MigrationProgress Progress { get; init; } = new();

    /// <summary>The checkpoint: the last record file code (in ordinal order) whose outcome is saved; a resumed job starts after it.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>How many error report parts are saved (one per batch with errors).</summary>
    public int ErrorParts { get; init; }

    /// <summary>Why the job failed as a whole.</summary>
    public string? Error { get; init; }
}

/// <summary>Options of bulk migration (<c>Archive:Migration</c>).</summary>
public sealed class MigrationOptions : IValidatableObject
{
    /// <summary>The folder under which administrators may name an export folder over REST (<c>POST /migrations</c> with <c>{"folder": "…"}</c>); none (off) by default. Absolute.</summary>
    public string? ImportRoot { get; set; }

    /// <summary>Record files imported per batch and per checkpoint (default 32).</summary>
    public int BatchSize { get; set; } = 32;

    /// <summary>Record files of a batch imported at once (default: 4 per processor).</summary>
    public int? MaxParallelism { get; set; }

    /// <summary>Largest uploaded export (default 64 GiB).</summary>
    public long MaxUploadBytes { get; set; } = 64L << 30;

    /// <summary>Most entries of a ZIP or tar export (default 2,000,000).</summary>
    public int MaxEntries { get; set; } = 2_000_000;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ImportRoot is { Length: > 0 } root && !Path.IsPathFullyQualified(root))
        {
            yield return new ValidationResult($"Archive:Migration:ImportRoot: '{root}' must be an absolute folder path.", [nameof(ImportRoot)]);
        }

        if (BatchSize is < 1 or > 10_000)
        {
            yield return new ValidationResult("Archive:Migration:BatchSize is between 1 and 10000.", [nameof(BatchSize)]);
        }

        if (MaxParallelism is < 1)
        {
            yield return new ValidationResult("Archive:Migration:MaxParallelism is at least 1.", [nameof(MaxParallelism)]);
        }

        if (MaxUploadBytes < 1 || MaxEntries < 1)
        {
            yield return new ValidationResult("Archive:Migration:MaxUploadBytes and MaxEntries are at least 1.", [nameof(MaxUploadBytes)]);
        }
    }
}

/// <summary>
/// Renders a broken rule for a reader (Vietnamese for clerks). Registered by the REST facade (its problem catalogue);
/// without it a migration's error report carries the engine's English message.
/// </summary>
public interface IRuleMessageLocalizer
{
    /// <summary>The message of <paramref name="error"/> in <paramref name="language"/> (<c>vi</c> or <c>en</c>).</summary>
    string Localize(ValidationError error, string language);
}

/// <summary>Rule ids of bulk migration.</summary>
public static class MigrationRules
{
    /// <summary>The export has no <c>manifest.csv</c> or <c>manifest.json</c> at its top (or both).</summary>
    public const string ManifestMissing = "migration.manifest-missing";

    /// <summary>The manifest cannot be read (not UTF-8 CSV / a JSON array of record files).</summary>
    public const string ManifestMalformed = "migration.manifest-malformed";

    /// <summary>A required column is missing from the CSV header.</summary>
    public const string ColumnMissing = "migration.column-missing";

    /// <summary>The CSV header names a column the format does not have.</summary>
    public const string ColumnUnknown = "migration.column-unknown";

    /// <summary>A ZIP or tar entry is a link, a device, absolute or climbs out (<c>..</c>): the export is refused.</summary>
    public const string EntryUnsafe = "migration.entry-unsafe";

    /// <summary>A content path is absolute, climbs out of the export, or is reached through a link.</summary>
    public const string PathUnsafe = "migration.path-unsafe";

    /// <summary>A content path names no file of the export.</summary>
    public const string ContentMissing = "migration.content-missing";

    /// <summary>The same content of the same document is listed twice.</summary>
    public const string RowDuplicate = "migration.row-duplicate";

    /// <summary>Rows of one record file give different record file elements.</summary>
    public const string FileColumnsDiffer = "migration.file-columns-differ";

    /// <summary>Rows of one document give different document elements.</summary>
    public const string DocumentColumnsDiffer = "migration.document-columns-differ";

    /// <summary>The record file code is not the one its agency, year and notation compose.</summary>
    public const string FileCodeMismatch = "migration.file-code-mismatch";

    /// <summary>A record file with this code exists with other content: reported, not overwritten.</summary>
    public const string ExistsDifferent = "migration.exists-different";

    /// <summary>The export is not a folder, ZIP or tar.</summary>
    public const string SourceUnsupported = "migration.source-unsupported";

    /// <summary>Naming a server folder is off (no <c>Archive:Migration:ImportRoot</c>).</summary>
    public const string FolderDisabled = "migration.folder-disabled";

    /// <summary>The folder is not under the import root (or is reached through a link), or does not exist.</summary>
    public const string FolderOutside = "migration.folder-outside";
}

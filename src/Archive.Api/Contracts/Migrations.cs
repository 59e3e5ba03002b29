namespace Archive.Api.Contracts;

/// <summary>Starts a migration of an export folder on the server (<c>POST /migrations/folder</c>, administrators).</summary>
public sealed record StartFolderMigrationRequest
{
    /// <summary>The export folder, relative to the server's import folder (Archive:Migration:ImportRoot), with '/'.</summary>
    /// <example>eoffice-2016/ubnd-xa-hoa-binh</example>
    public required string Folder { get; init; }
}

/// <summary>Progress of a migration job: rows and record files handled so far.</summary>
public sealed record MigrationProgressDto
{
    /// <summary>queued, preparing (unpacking), reading-manifest, importing, completed or failed.</summary>
    /// <example>importing</example>
    public required string Phase { get; init; }

    /// <summary>Rows in the manifest (CSV data lines; in a JSON manifest, content files or documents without content), known once it is read.</summary>
    public long RowsTotal { get; init; }

    /// <summary>Rows handled.</summary>
    public long RowsDone { get; init; }

    /// <summary>Rows in the error report.</summary>
    public long RowsFailed { get; init; }

    /// <summary>Record files in the manifest (known when the job completes).</summary>
    public long RecordFilesTotal { get; init; }

    /// <summary>Record files imported.</summary>
    public long RecordFilesImported { get; init; }

    /// <summary>Record files already in the archive with the same content (not imported again).</summary>
    public long RecordFilesSkipped { get; init; }

    /// <summary>Record files not imported (a bad row, or the same code with other content).</summary>
    public long RecordFilesFailed { get; init; }

    /// <summary>Documents imported.</summary>
    public long DocumentsImported { get; init; }

    /// <summary>Documents of skipped record files.</summary>
    public long DocumentsSkipped { get; init; }

    /// <summary>Documents of record files not imported.</summary>
    public long DocumentsFailed { get; init; }
}

/// <summary>A bulk migration from an e-office export, run by the server as a resumable job.</summary>
public sealed record MigrationJobDto
{
    /// <summary>The job's id.</summary>
    /// <example>20261207T101500Z-3f2b9c1d</example>
    public required string Id { get; init; }

    /// <summary>folder, zip or tar.</summary>
    /// <example>zip</example>
    public required string Source { get; init; }

    /// <summary>The name the upload was given, or the folder named.</summary>
    public string? SourceName { get; init; }

    /// <summary>queued, running, completed (every row handled; see the error report) or failed (the export refused as a whole: nothing imported; see error and the error report).</summary>
    /// <example>running</example>
    public required string State { get; init; }

    /// <summary>Who started it.</summary>
    public required string RequestedBy { get; init; }

    /// <summary>When it was started.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its state or progress was last saved.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When it completed or failed.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Progress.</summary>
    public required MigrationProgressDto Progress { get; init; }

    /// <summary>The last record file code whose outcome is saved; a job resumed after a restart continues after it.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>Why the export was refused as a whole.</summary>
    public string? Error { get; init; }
}

/// <summary>One line of a migration's error report.</summary>
public sealed record MigrationRowErrorDto
{
    /// <summary>The row: in a CSV manifest the record number counting the header as 1 (the first data row is 2), in a JSON manifest the 1-based position of the record file; 0 for the export as a whole.</summary>
    /// <example>7</example>
    public long Row { get; init; }

    /// <summary>The record file code of the row.</summary>
    /// <example>000.00.00.G09.2016.03.KH</example>
    public string? FileCode { get; init; }

    /// <summary>The manifest column (JSON: the path, e.g. documents[0].contents[1].sha256); manifest or entry for the export as a whole.</summary>
    /// <example>sha256</example>
    public required string Field { get; init; }

    /// <summary>The rule broken.</summary>
    /// <example>content.sha256-mismatch</example>
    public required string Rule { get; init; }

    /// <summary>What is wrong, in Vietnamese.</summary>
    public required string Message { get; init; }

    /// <summary>The engine's message (English).</summary>
    public string? Detail { get; init; }
}

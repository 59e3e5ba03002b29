namespace Archive.Api.Contracts;

/// <summary>Starts a backup of the system of record (<c>POST /backups</c>): full, or incremental on a completed set.</summary>
public sealed record StartBackupRequest
{
    /// <summary>The id of a completed set in the server's backup folder to back up incrementally on (only files its chain does not hold are copied); absent for a full backup.</summary>
    /// <example>20261207T020000Z-full-3f2b9c</example>
    public string? IncrementalFrom { get; init; }
}

/// <summary>Progress of a backup job.</summary>
public sealed record BackupProgressDto
{
    /// <summary>objects, audit, sealing or completed.</summary>
    public required string Phase { get; init; }

    /// <summary>OCFL objects (record files, registries, decisions...) copied so far.</summary>
    public long Objects { get; init; }

    /// <summary>Files listed so far.</summary>
    public long Files { get; init; }

    /// <summary>Bytes of those files.</summary>
    public long Bytes { get; init; }

    /// <summary>Files whose content this set stores (the rest is already in its base chain).</summary>
    public long FilesStored { get; init; }
}

/// <summary>
/// A backup run by the server: state, progress and, once completed, what the set holds. The set is a folder named by the
/// id under the server's backup folder (Archive:Backup:Path); verify and restore it with the CLI (<c>backup verify</c>,
/// <c>backup restore</c>).
/// </summary>
public sealed record BackupJobDto
{
    /// <summary>The job's and the set's id.</summary>
    /// <example>20261207T020000Z-full-3f2b9c</example>
    public required string Id { get; init; }

    /// <summary>full or incremental.</summary>
    public required string Kind { get; init; }

    /// <summary>The base set of an incremental backup.</summary>
    public string? IncrementalFrom { get; init; }

    /// <summary>queued, running, completed, failed (see error) or interrupted (the server stopped; the set is incomplete).</summary>
    /// <example>completed</example>
    public required string State { get; init; }

    /// <summary>Who started it.</summary>
    public required string RequestedBy { get; init; }

    /// <summary>When it was started.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When it completed or failed.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The last progress recorded.</summary>
    public BackupProgressDto? Progress { get; init; }

    /// <summary>Files in the completed set (every file of the backup, whichever set of the chain holds it).</summary>
    public long? Files { get; init; }

    /// <summary>Their bytes.</summary>
    public long? Bytes { get; init; }

    /// <summary>The audit trail's last record in the set.</summary>
    public long? AuditSequence { get; init; }

    /// <summary>Hex SHA-256 of the set's manifest (backup.json).</summary>
    public string? ManifestSha256 { get; init; }

    /// <summary>Whether the manifest is sealed with the server's seal certificate.</summary>
    public bool Sealed { get; init; }

    /// <summary>The engine version that wrote the set.</summary>
    public string? EngineVersion { get; init; }

    /// <summary>Why it failed or was interrupted.</summary>
    public string? Error { get; init; }
}

using System.Text.Json.Serialization;

namespace Archive.Backup;

/// <summary>Backups of the system of record (<c>Archive:Backup</c>).</summary>
public sealed class BackupOptions
{
    /// <summary>
    /// The folder (a mounted device or share) where backups started over REST (<c>POST /backups</c>) write their sets, one
    /// sub-folder per set; null (the default) refuses such backups (<c>backup.not-configured</c>). The CLI names its target itself.
    /// </summary>
    public string? Path { get; set; }
}

/// <summary>Whether a set holds every file itself or only those its base chain does not hold.</summary>
public enum BackupKind
{
    /// <summary>Every file of the backup is in the set.</summary>
    Full = 0,

    /// <summary>The set lists every file but holds only those whose SHA-256 is not already in its base chain.</summary>
    Incremental = 1,
}

/// <summary>The base set an incremental set refers to.</summary>
public sealed record BackupBaseReference
{
    /// <summary>The base set's id (the name of its folder, beside this set's folder).</summary>
    public required string Id { get; init; }

    /// <summary>Hex SHA-256 of the base set's <c>backup.json</c>: the chain is bound by digest, not by name.</summary>
    public required string ManifestSha256 { get; init; }
}

/// <summary>
/// <c>backup.json</c>, the manifest of a backup set: what was backed up, when, by which engine, how much, and the digest of
/// the file list (<c>files.jsonl</c>: one line per stored object with its key, size and SHA-256). Its own SHA-256 is in
/// <c>backup.json.sha256</c> and, when a seal is configured (<c>Archive:Exchange:Seal</c>), a detached CMS seal over it is
/// in <c>backup.json.p7s</c>; so the manifest, and through it every file, can be verified without the service.
/// </summary>
public sealed record BackupManifest
{
    /// <summary>The format of the set.</summary>
    public const string CurrentFormat = "archive-backup/1";

    /// <summary>The format, <see cref="CurrentFormat"/>.</summary>
    public string Format { get; init; } = CurrentFormat;

    /// <summary>The set's id (also its folder name).</summary>
    public required string Id { get; init; }

    /// <summary>Full or incremental.</summary>
    public required BackupKind Kind { get; init; }

    /// <summary>The base set of an incremental set; null for a full set.</summary>
    public BackupBaseReference? Base { get; init; }

    /// <summary>The engine version that wrote the set.</summary>
    public required string EngineVersion { get; init; }

    /// <summary>Who started the backup.</summary>
    public required string CreatedBy { get; init; }

    /// <summary>When the backup started (UTC).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When it completed (UTC).</summary>
    public required DateTimeOffset CompletedAt { get; init; }

    /// <summary>The store backed up: its system and container (folder, bucket).</summary>
    public required string Source { get; init; }

    /// <summary>OCFL objects backed up, each at the version its root inventory named when it was read.</summary>
    public required long Objects { get; init; }

    /// <summary>Objects listed in the file list (every file of the backup, whichever set of the chain holds it).</summary>
    public required long Files { get; init; }

    /// <summary>Total bytes of <see cref="Files"/>.</summary>
    public required long Bytes { get; init; }

    /// <summary>Files whose content this set holds itself (the others are in its base chain).</summary>
    public required long FilesStored { get; init; }

    /// <summary>Bytes this set holds itself.</summary>
    public required long BytesStored { get; init; }

    /// <summary>The audit trail's last record in the set (its consistent point); 0 when the trail was empty.</summary>
    public required long AuditSequence { get; init; }

    /// <summary>Hash of that record (the chain's head as backed up).</summary>
    public string? AuditHash { get; init; }

    /// <summary>Hex SHA-256 of <c>files.jsonl</c>.</summary>
    public required string FileListSha256 { get; init; }

    /// <summary>Key prefixes left out (transient state; the search index is not in the store and is rebuilt after a restore).</summary>
    public required IReadOnlyList<string> Excluded { get; init; }
}

/// <summary>One line of <c>files.jsonl</c>: an object of the store with its size and content digest.</summary>
/// <param name="Key">The object's key in the store.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="Sha256">Hex SHA-256 of its content (the content is kept under <c>blobs/xx/&lt;sha256&gt;</c> of a set of the chain).</param>
public sealed record BackupFileEntry(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("size")] long Size,
    [property: JsonPropertyName("sha256")] string Sha256);

/// <summary>Progress of a backup or a restore.</summary>
public sealed record BackupProgress
{
    /// <summary>What is being done: <c>objects</c>, <c>audit</c>, <c>sealing</c>, <c>verifying</c>, <c>restoring</c>.</summary>
    public required string Phase { get; init; }

    /// <summary>OCFL objects done.</summary>
    public long Objects { get; init; }

    /// <summary>Files done (listed in the backup or restored).</summary>
    public long Files { get; init; }

    /// <summary>Bytes of those files.</summary>
    public long Bytes { get; init; }

    /// <summary>Files whose content was copied (the rest was already in the chain).</summary>
    public long FilesStored { get; init; }

    /// <summary>Total files when known (restore, verify); null while a backup still discovers them.</summary>
    public long? FilesTotal { get; init; }
}

/// <summary>A finished backup.</summary>
/// <param name="Path">The set's folder.</param>
/// <param name="Manifest">Its manifest.</param>
/// <param name="ManifestSha256">Hex SHA-256 of <c>backup.json</c>.</param>
/// <param name="Sealed">Whether the manifest was sealed.</param>
public sealed record BackupResult(string Path, BackupManifest Manifest, string ManifestSha256, bool Sealed);

/// <summary>One problem a verification found, naming the file and the rule broken.</summary>
/// <param name="Path">The file of the set (<c>backup.json</c>, <c>files.jsonl</c>, a base set) or the store key whose copy is wrong.</param>
/// <param name="Rule">Rule id, e.g. <c>backup.file-digest</c>.</param>
/// <param name="Message">What is wrong.</param>
public sealed record BackupProblem(string Path, string Rule, string Message);

/// <summary>What <see cref="BackupService.VerifyAsync"/> found.</summary>
public sealed record BackupVerification
{
    /// <summary>The set verified.</summary>
    public required string Path { get; init; }

    /// <summary>Its manifest, when it could be read.</summary>
    public BackupManifest? Manifest { get; init; }

    /// <summary>The sets of the chain, this one first and its full base last.</summary>
    public IReadOnlyList<string> Chain { get; init; } = [];

    /// <summary>The seal's signer when the manifest carries a valid seal; null otherwise.</summary>
    public string? Signer { get; init; }

    /// <summary>Files checked.</summary>
    public long Files { get; init; }

    /// <summary>Bytes checked.</summary>
    public long Bytes { get; init; }

    /// <summary>Every problem found (at most 1,000; <see cref="MoreProblems"/> says whether more were left out).</summary>
    public IReadOnlyList<BackupProblem> Problems { get; init; } = [];

    /// <summary>Whether more problems were found than listed.</summary>
    public bool MoreProblems { get; init; }

    /// <summary>Whether the set is sound: no problem.</summary>
    public bool Sound => Problems.Count == 0;
}

/// <summary>What a restore did.</summary>
public sealed record BackupRestoreResult
{
    /// <summary>The verification run before anything was written; when it is not sound nothing was restored.</summary>
    public required BackupVerification Verification { get; init; }

    /// <summary>Whether the set was restored.</summary>
    public bool Restored { get; init; }

    /// <summary>Files written into the store.</summary>
    public long Files { get; init; }

    /// <summary>Bytes written.</summary>
    public long Bytes { get; init; }
}

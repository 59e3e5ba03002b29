using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Archive.Hosting;

/// <summary>Settings of the Archive engine, validated when the host starts.</summary>
public sealed class ArchiveOptions : IValidatableObject
{
    /// <summary>
    /// Folder of the embedded defaults (required, absolute): the file-system object store in <c>DataPath/store</c>,
    /// the Lucene index in <c>DataPath/index</c>, upload spooling in <c>DataPath/tmp</c>. Providers registered on the
    /// builder (e.g. an S3 store) replace the defaults.
    /// </summary>
    [Required]
    public string DataPath { get; set; } = string.Empty;

    /// <summary>Largest content file accepted by an upload, in bytes (default 2 GiB).</summary>
    [Range(1L, 1L << 40)]
    public long MaxUploadBytes { get; set; } = 2L << 30;

    /// <summary>
    /// Years after the closing year within which finished files go into the agency archive (Archives Law 2024
    /// art. 17: 1). Part of the transfer deadline: closing year + this + <see cref="YearsToTransfer"/>.
    /// </summary>
    [Range(0, 20)]
    public int YearsIntoAgencyArchive { get; set; } = 1;

    /// <summary>Years permanent files stay in the agency archive before transfer to the Historical Archives (Archives Law 2024 art. 17: 5).</summary>
    [Range(0, 50)]
    public int YearsToTransfer { get; set; } = 5;

    /// <summary>Folder for spooling uploads (must be writable); <c>DataPath/tmp</c> when null.</summary>
    public string? TempPath { get; set; }

    /// <summary>Record files per batch (and per checkpoint) during a reindex (default 100).</summary>
    [Range(1, 10_000)]
    public int ReindexBatchSize { get; set; } = 100;

    /// <summary>
    /// How often the engine's background service indexes record files flagged for reindex (an index update that failed,
    /// e.g. while Elasticsearch was down, or a batch import cancelled before its index update); they are also indexed
    /// at start-up, after crash recovery. <see cref="TimeSpan.Zero"/>: at start-up only. Default 1 minute.
    /// (Formerly <c>ArchiveApiOptions.PendingIndexInterval</c>; the REST facade still reads <c>Archive:Api:PendingIndexInterval</c>.)
    /// </summary>
    public TimeSpan PendingIndexInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Whether text is extracted from content at ingest (PDF text layer; DOCX, XLSX, ODT, ODS, HTML and plain text when
    /// <c>Archive.TextExtraction.Office</c> is registered, as the embedded defaults do). Default true.
    /// </summary>
    public bool ExtractText { get; set; } = true;

    /// <summary>Default of <see cref="MaxExtractedTextChars"/>: 5 million characters.</summary>
    public const int DefaultMaxExtractedTextChars = 5_000_000;

    /// <summary>
    /// Most characters of text kept from one content file (default 5 million, about 2 000 printed pages): the rest is
    /// not extracted, the content is stored whole and marked <see cref="Archive.Records.ContentFile.TextTruncated"/>.
    /// Bounds the memory one extraction takes, whatever the file's size.
    /// </summary>
    [Range(1_000, 100_000_000)]
    public int MaxExtractedTextChars { get; set; } = DefaultMaxExtractedTextChars;

    /// <summary>Audit trail settings (<c>Archive:Audit:*</c>): checkpoints, signing certificate, WORM retention.</summary>
    [ValidateObjectMembers]
    public Archive.Audit.AuditOptions Audit { get; set; } = new();

    /// <summary>
    /// Several hosts sharing this archive's storage (<c>Archive:Hosts:*</c>): commit leases on the package store, jobs
    /// run once across the hosts.
    /// </summary>
    [ValidateObjectMembers]
    public ArchiveHostsOptions Hosts { get; set; } = new();

    /// <summary>Rules of the records model that an archive may adapt (<c>Archive:Records:*</c>): local document-type abbreviations.</summary>
    [ValidateObjectMembers]
    public ArchiveRecordsOptions Records { get; set; } = new();

    /// <summary>How record files' packages are versioned in storage (<c>Archive:Packages:*</c>): the journal of acknowledged changes.</summary>
    [ValidateObjectMembers]
    public ArchivePackagesOptions Packages { get; set; } = new();

    /// <summary>The background search projection of record file changes (<c>Archive:Projection:*</c>).</summary>
    [ValidateObjectMembers]
    public ArchiveProjectionOptions Projection { get; set; } = new();

    /// <summary>Statistics (<c>Archive:Statistics:*</c>): the box width shelf metres are counted with.</summary>
    [ValidateObjectMembers]
    public Archive.Registers.ArchiveStatisticsOptions Statistics { get; set; } = new();

    /// <summary>The folder uploads are spooled to.</summary>
    public string ResolveTempPath() => TempPath ?? Path.Combine(DataPath, "tmp");

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(DataPath) && !Path.IsPathFullyQualified(DataPath))
        {
            yield return new ValidationResult($"ArchiveOptions.DataPath must be an absolute path, not '{DataPath}'.", [nameof(DataPath)]);
        }

        if (PendingIndexInterval < TimeSpan.Zero)
        {
            yield return new ValidationResult("ArchiveOptions.PendingIndexInterval must not be negative.", [nameof(PendingIndexInterval)]);
        }

        if (TempPath is not null && !Path.IsPathFullyQualified(TempPath))
        {
            yield return new ValidationResult($"ArchiveOptions.TempPath must be an absolute path, not '{TempPath}'.", [nameof(TempPath)]);
        }
    }
}

/// <summary>Several hosts sharing one archive's storage (<c>Archive:Hosts:*</c>).</summary>
public sealed class ArchiveHostsOptions
{
    /// <summary>
    /// Several hosts write to this archive's storage (e.g. API hosts behind a load balancer on one bucket); default
    /// <see langword="false"/>: one host (the embedded set-up). On: package commits hold leases
    /// (<see cref="Archive.Packages.OcflPackageStoreOptions.SharedStorage"/>), background jobs run on one host at a time
    /// under leases in the store, and the store must have atomic create-only writes.
    /// </summary>
    public bool Shared { get; set; }

    /// <summary>
    /// This host's name among the hosts sharing the storage (default: the machine name); give each host its own. A job
    /// that reads a server folder (a package on a storage device, <c>Archive:Exchange:ImportRoots</c>) runs only on the
    /// host that accepted it.
    /// </summary>
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>How long a lease (a commit's claim, a job's) holds without renewal (default 2 minutes; at least 10 seconds).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The largest difference between the hosts' clocks (default 30 seconds): a lease counts as expired only this long after its end.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>How packages are versioned in storage (<c>Archive:Packages:*</c>).</summary>
public sealed class ArchivePackagesOptions
{
    /// <summary>
    /// How many acknowledged changes of a record file are kept as journal entries beside its OCFL object before they
    /// are settled into one OCFL version (default 256; 0: every change is an OCFL version of its own). Each change keeps
    /// its own version number, author, time and content either way; with the journal a change costs its own bytes and
    /// one small entry, whatever the record file's history. One host only: with <c>Archive:Hosts:Shared</c> every change
    /// is a version (a journal left by a single host is settled at start-up).
    /// </summary>
    [Range(0, 100_000)]
    public int JournalLimit { get; set; } = 256;
}

/// <summary>
/// The background search projection (<c>Archive:Projection:*</c>): a change to a record file is acknowledged once its
/// package version is committed; the engine's projector then indexes the record files changed since its last batch,
/// each once from its head, with one search index commit per batch.
/// </summary>
public sealed class ArchiveProjectionOptions
{
    /// <summary>Most record files projected and written to the index in one batch (one index commit); default 100.</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// How long the projector waits for more changes after the first one before it writes a batch smaller than
    /// <see cref="BatchSize"/> (default zero: at once; changes that arrive while a batch is written form the next one).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Memory (MB, counted as two bytes per character) for extracted texts handed from a write to the projection of
    /// that change, so that the projection need not read back and parse the text file just stored; the oldest are
    /// dropped first, and a text not found here is read from storage as before. Default 32; 0 turns the hand-off off.
    /// </summary>
    [Range(0, 4096)]
    public int TextHandOffMegabytes { get; set; } = 32;
}

/// <summary>Rules of the records model that an archive may adapt (<c>Archive:Records:*</c>).</summary>
public sealed class ArchiveRecordsOptions : IValidatableObject
{
    /// <summary>
    /// Document-type abbreviations of this archive's agencies accepted in a document symbol (ký hiệu văn bản) besides
    /// those of Decree 30/2020 Appendix III (<see cref="Archive.Records.RecordRules.OfficialTypeAbbreviations"/>), spelled
    /// exactly as they are written, e.g. <c>KLuan</c> (kết luận) or <c>ThBáo</c>: each 1 to 10 letters or digits starting
    /// with an upper-case letter. Only abbreviations with lower-case letters need listing (upper-case groups are always accepted).
    /// </summary>
    public IList<string> LocalTypeAbbreviations { get; set; } = [];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var a in LocalTypeAbbreviations)
        {
            if (!Archive.Records.RecordRules.IsValidLocalAbbreviation(a))
            {
                yield return new ValidationResult($"Archive:Records:LocalTypeAbbreviations: '{a}' is not an abbreviation (1 to 10 letters or digits, starting with an upper-case letter, no '-', '/' or spaces).", [nameof(LocalTypeAbbreviations)]);
            }
        }
    }
}

/// <summary>Validates <see cref="ArchiveOptions"/> (data annotations and <see cref="ArchiveOptions.Validate"/>), source-generated.</summary>
[OptionsValidator]
public sealed partial class ArchiveOptionsValidator : IValidateOptions<ArchiveOptions>
{
}

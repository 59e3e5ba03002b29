namespace Archive.Records;

/// <summary>Processing status of a backlog batch (tài liệu tồn đọng); it only moves forward.</summary>
public enum BacklogStatus
{
    /// <summary>Chưa chỉnh lý.</summary>
    NotProcessed = 0,

    /// <summary>Đang chỉnh lý.</summary>
    InProgress = 1,

    /// <summary>Đã chỉnh lý.</summary>
    Processed = 2,
}

/// <summary>One step of a batch's processing: a status change or recorded progress, with who and when.</summary>
/// <param name="Status">The status after the step.</param>
/// <param name="ProcessedMetres">Shelf metres processed so far, after the step.</param>
/// <param name="At">When.</param>
/// <param name="By">Who.</param>
/// <param name="Note">Optional note.</param>
public sealed record BacklogStep(BacklogStatus Status, decimal ProcessedMetres, DateTimeOffset At, string By, string? Note);

/// <summary>
/// A batch of un-arranged records (khối tài liệu chưa chỉnh lý) received or found by an agency: where it came from,
/// its years, volume (shelf metres, boxes, bundles), condition and location, its processing status and the record files
/// produced from it. Stored as a versioned package; it belongs to the agency holding it (<see cref="AgencyId"/>).
/// </summary>
public sealed record BacklogBatch
{
    /// <summary>Identifier (letters, digits, '.', '-', '_').</summary>
    public required string Id { get; init; }

    /// <summary>The agency holding the batch (mã định danh); only its staff (and administrators) change it.</summary>
    public required string AgencyId { get; init; }

    /// <summary>Where the batch comes from (nguồn): the agency or unit that produced or handed it over, as written.</summary>
    public required string SourceAgency { get; init; }

    /// <summary>The fonds it belongs to, when known.</summary>
    public string? FondsCode { get; init; }

    /// <summary>First year of the records.</summary>
    public required int FromYear { get; init; }

    /// <summary>Last year of the records.</summary>
    public required int ToYear { get; init; }

    /// <summary>Volume in shelf metres (mét giá), at least 0.</summary>
    public decimal ShelfMetres { get; init; }

    /// <summary>Boxes (hộp), at least 0.</summary>
    public int Boxes { get; init; }

    /// <summary>Bundles (bó, gói), at least 0.</summary>
    public int Bundles { get; init; }

    /// <summary>Physical condition (tình trạng vật lý).</summary>
    public PhysicalCondition Condition { get; init; }

    /// <summary>Where it is kept: free text or a storage room code.</summary>
    public string? Location { get; init; }

    /// <summary>Notes.</summary>
    public string? Notes { get; init; }

    /// <summary>Processing status.</summary>
    public BacklogStatus Status { get; init; }

    /// <summary>Shelf metres processed so far (all of <see cref="ShelfMetres"/> once processed).</summary>
    public decimal ProcessedMetres { get; init; }

    /// <summary>When processing started (the first step to <see cref="BacklogStatus.InProgress"/> or beyond).</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When it was processed.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>When it was registered.</summary>
    public required DateTimeOffset RegisteredAt { get; init; }

    /// <summary>Who registered it.</summary>
    public required string RegisteredBy { get; init; }

    /// <summary>Processing steps, oldest first.</summary>
    public IReadOnlyList<BacklogStep> Steps { get; init; } = [];

    /// <summary>The record files produced from the batch (codes; a record file belongs to at most one batch).</summary>
    public IReadOnlyList<string> FileCodes { get; init; } = [];

    /// <summary>Shelf metres left to process, never negative.</summary>
    public decimal RemainingMetres => Math.Max(0, ShelfMetres - ProcessedMetres);
}

namespace Archive.Retention;

/// <summary>What happens to records when their retention period ends.</summary>
public enum DispositionAction
{
    /// <summary>Appraise, then destroy after review (tiêu hủy tài liệu hết thời hạn lưu trữ) or extend.</summary>
    ReviewForDestruction = 0,

    /// <summary>Transfer to the Historical Archives (nộp lưu vào Lưu trữ lịch sử) — permanent records.</summary>
    TransferToHistoricalArchives = 1,
}

/// <summary>A group of a retention schedule (e.g. "Tài liệu tổng hợp", "Tài liệu tổ chức, cán bộ").</summary>
/// <param name="Code">Stable code within the schedule.</param>
/// <param name="Title">Title, in Vietnamese.</param>
/// <param name="ParentCode">Enclosing category, if any.</param>
public sealed record RetentionCategory(string Code, string Title, string? ParentCode = null);

/// <summary>One item of a retention schedule: a kind of record file and how long it is kept.</summary>
public sealed record RetentionScheduleItem
{
    /// <summary>Stable code within the schedule (e.g. <c>TH.01</c>).</summary>
    public required string Code { get; init; }

    /// <summary>The kind of record file, in Vietnamese.</summary>
    public required string Title { get; init; }

    /// <summary>The category it belongs to.</summary>
    public string? CategoryCode { get; init; }

    /// <summary>How long it is kept.</summary>
    public required RetentionPeriod Retention { get; init; }

    /// <summary>What happens at the end; defaults from the period when not given (permanent → transfer).</summary>
    public required DispositionAction Disposition { get; init; }

    /// <summary>Where the value comes from (e.g. "Circular 10/2022/TT-BNV, Appendix I"), or "agency" when set locally.</summary>
    public string? Source { get; init; }

    /// <summary>Notes.</summary>
    public string? Notes { get; init; }
}

/// <summary>A retention schedule (bảng thời hạn lưu trữ): data, loadable and editable per agency.</summary>
public sealed record RetentionSchedule
{
    /// <summary>Schedule id (e.g. <c>default-tt10-2022</c>, or an agency's own).</summary>
    public required string Id { get; init; }

    /// <summary>Title.</summary>
    public required string Title { get; init; }

    /// <summary>Legal source of the schedule as a whole.</summary>
    public string? Source { get; init; }

    /// <summary>The agency that owns this schedule; null for a shared default.</summary>
    public string? AgencyId { get; init; }

    /// <summary>Categories.</summary>
    public IReadOnlyList<RetentionCategory> Categories { get; init; } = [];

    /// <summary>Items.</summary>
    public IReadOnlyList<RetentionScheduleItem> Items { get; init; } = [];

    /// <summary>The item with <paramref name="code"/>, or null.</summary>
    public RetentionScheduleItem? Find(string code) => Items.FirstOrDefault(i => string.Equals(i.Code, code, StringComparison.Ordinal));
}

namespace Archive.Records;

/// <summary>Whether a fonds still receives record files.</summary>
public enum FondsStatus
{
    /// <summary>Open.</summary>
    Open = 0,

    /// <summary>Closed (đóng phông): irreversible; no new record files.</summary>
    Closed = 1,
}

/// <summary>A fonds (phông lưu trữ): the records of one creating agency.</summary>
public sealed record Fonds
{
    /// <summary>Fonds code (unique), e.g. the creating agency's identifier or an archive-assigned number.</summary>
    public required string Code { get; init; }

    /// <summary>Fonds name (tên phông).</summary>
    public required string Name { get; init; }

    /// <summary>The creating agency (cơ quan hình thành phông).</summary>
    public required string AgencyId { get; init; }

    /// <summary>The agency that holds the records today (follows reorganisation events); the creator by default.</summary>
    public string? CustodianAgencyId { get; init; }

    /// <summary>Open or closed.</summary>
    public FondsStatus Status { get; init; } = FondsStatus.Open;

    /// <summary>The day the fonds was closed.</summary>
    public DateOnly? ClosedOn { get; init; }

    /// <summary>Why it was closed (e.g. the reorganisation decision).</summary>
    public string? ClosingReason { get; init; }

    /// <summary>History of the creating body (lịch sử đơn vị hình thành phông).</summary>
    public string? History { get; init; }

    /// <summary>Classification scheme (phương án phân loại).</summary>
    public string? ClassificationScheme { get; init; }

    /// <summary>Main language.</summary>
    public string Language { get; init; } = "vi";

    /// <summary>Notes.</summary>
    public string? Notes { get; init; }
}

namespace Archive.Documents;

/// <summary>
/// One group of records proposed for destruction in the explanatory note (e.g. the files kept 10 years), with why the
/// group is past its retention.
/// </summary>
/// <param name="Name">The group, e.g. <c>Hồ sơ có thời hạn lưu trữ 10 năm</c>.</param>
/// <param name="Files">How many record files of the group are proposed for destruction.</param>
/// <param name="Reason">Why, e.g. <c>đã hết thời hạn lưu trữ (kết thúc từ năm 2010 đến năm 2014)</c>.</param>
public sealed record DestructionGroup(string Name, int Files, string Reason);

/// <summary>
/// Bản thuyết minh tài liệu hết thời hạn lưu trữ — the explanatory note of a destruction (Circular 06/2025): the fonds
/// and agency, how many record files were reviewed, kept and proposed for destruction, their dates, and the groups of
/// records with why they are past retention.
/// </summary>
public sealed record DestructionNoteDocument
{
    /// <summary>The heading block (the agency whose records are destroyed).</summary>
    public required DocumentHeading Heading { get; init; }

    /// <summary>Căn cứ — the legal basis and the council's decision and minutes, one per line.</summary>
    public IReadOnlyList<string> LegalBasis { get; init; } = [];

    /// <summary>Tên cơ quan, tổ chức (the agency whose records are reviewed).</summary>
    public required string AgencyName { get; init; }

    /// <summary>Tên phông lưu trữ, one per fonds concerned.</summary>
    public IReadOnlyList<string> Fonds { get; init; } = [];

    /// <summary>Tổng số hồ sơ đã xem xét (reviewed).</summary>
    public int Reviewed { get; init; }

    /// <summary>Số hồ sơ giữ lại (kept).</summary>
    public int Kept { get; init; }

    /// <summary>Số hồ sơ đề nghị hủy (proposed for destruction).</summary>
    public int ToDestroy { get; init; }

    /// <summary>Số trang of the records proposed for destruction.</summary>
    public long Pages { get; init; }

    /// <summary>Thời gian của tài liệu đề nghị hủy: from.</summary>
    public DateOnly? From { get; init; }

    /// <summary>Thời gian của tài liệu đề nghị hủy: to.</summary>
    public DateOnly? To { get; init; }

    /// <summary>The groups of records proposed for destruction and why they are past retention.</summary>
    public IReadOnlyList<DestructionGroup> Groups { get; init; } = [];

    /// <summary>Further explanation (e.g. the decision's own explanatory note), printed as written; none when null.</summary>
    public string? Remarks { get; init; }

    /// <summary>Signature blocks (e.g. NGƯỜI LẬP, THỦ TRƯỞNG CƠ QUAN).</summary>
    public IReadOnlyList<Signature> Signatures { get; init; } = [];
}

/// <summary>
/// Biên bản hủy tài liệu hết thời hạn lưu trữ — the destruction record (Circular 06/2025), drawn up once the records
/// are destroyed and signed by both parties: the one handing the records over for destruction and the one destroying
/// them.
/// </summary>
public sealed record DestructionRecordDocument
{
    /// <summary>The heading block (the agency, place and date of the destruction).</summary>
    public required DocumentHeading Heading { get; init; }

    /// <summary>Căn cứ — the legal basis and the destruction decision (số, ngày), one per line.</summary>
    public IReadOnlyList<string> LegalBasis { get; init; } = [];

    /// <summary>Where the record is drawn up (tại ...), when said.</summary>
    public string? Venue { get; init; }

    /// <summary>Bên giao tài liệu để hủy.</summary>
    public required Party Handing { get; init; }

    /// <summary>Bên thực hiện hủy tài liệu.</summary>
    public required Party Destroying { get; init; }

    /// <summary>Tên khối tài liệu hủy, e.g. <c>Tài liệu hết thời hạn lưu trữ của Ủy ban nhân dân xã An Bình</c>.</summary>
    public required string RecordsBlockName { get; init; }

    /// <summary>Thời gian của tài liệu: from.</summary>
    public DateOnly? From { get; init; }

    /// <summary>Thời gian của tài liệu: to.</summary>
    public DateOnly? To { get; init; }

    /// <summary>Số hồ sơ đã hủy.</summary>
    public int Files { get; init; }

    /// <summary>Số văn bản đã hủy.</summary>
    public int Documents { get; init; }

    /// <summary>Số trang đã hủy.</summary>
    public long Pages { get; init; }

    /// <summary>Số tệp (file) nội dung đã hủy.</summary>
    public int DigitalFiles { get; init; }

    /// <summary>Dung lượng đã hủy, in bytes.</summary>
    public long Bytes { get; init; }

    /// <summary>Phương thức hủy (how the records were destroyed), as a sentence.</summary>
    public required string Method { get; init; }

    /// <summary>Hồ sơ không hủy — listed files that were not destroyed, one line each with the reason; none when empty.</summary>
    public IReadOnlyList<string> NotDestroyed { get; init; } = [];

    /// <summary>Further notes (e.g. what the storage could not guarantee), one per line.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Tài liệu kèm theo, one per line (e.g. <c>Danh mục tài liệu hết thời hạn lưu trữ: 12 hồ sơ</c>).</summary>
    public IReadOnlyList<string> Attachments { get; init; } = [];

    /// <summary>Số bản — the record is made in this many copies, each party keeping one (default 2).</summary>
    public int Copies { get; init; } = 2;
}

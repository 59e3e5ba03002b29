namespace Archive.Documents;

/// <summary>
/// The heading block of an administrative document: the issuing agency on the left (tên cơ quan chủ quản, tên cơ
/// quan), the national title on the right (Quốc hiệu "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", Tiêu ngữ
/// "Độc lập - Tự do - Hạnh phúc"), then the place and date.
/// </summary>
public sealed record DocumentHeading
{
    /// <summary>Tên cơ quan, tổ chức chủ quản trực tiếp (the parent body), when there is one.</summary>
    public string? ParentAgencyName { get; init; }

    /// <summary>Tên cơ quan, tổ chức (the agency issuing the document).</summary>
    public required string AgencyName { get; init; }

    /// <summary>Số, ký hiệu của văn bản (e.g. <c>Số: 12/BB-VP</c> without the <c>Số:</c>), when numbered.</summary>
    public string? Number { get; init; }

    /// <summary>Địa danh (e.g. <c>Hà Nội</c>), for "Hà Nội, ngày 25 tháng 11 năm 2026".</summary>
    public string? Place { get; init; }

    /// <summary>Ngày ban hành; when null the date line is left blank (ngày ... tháng ... năm ...) to be filled by hand.</summary>
    public DateOnly? Date { get; init; }
}

/// <summary>A signature block (chữ ký): the title in capitals, then room to sign, then the name.</summary>
/// <param name="Title">E.g. <c>NGƯỜI LẬP</c>, <c>THỦ TRƯỞNG CƠ QUAN</c>, <c>ĐẠI DIỆN BÊN GIAO</c>.</param>
/// <param name="FullName">Printed under the signature; null leaves it to be written by hand.</param>
public sealed record Signature(string Title, string? FullName = null);

/// <summary>Which list a catalogue document is.</summary>
public enum CatalogueKind
{
    /// <summary>Mục lục hồ sơ — the catalogue of a handover (finished files).</summary>
    FileCatalogue = 0,

    /// <summary>Danh sách hồ sơ chưa giải quyết xong — unfinished files, each with its note.</summary>
    UnfinishedFiles = 1,

    /// <summary>Mục lục hồ sơ, tài liệu nộp lưu — the catalogue of a transfer to the Historical Archives.</summary>
    DepositCatalogue = 2,

    /// <summary>
    /// Danh mục tài liệu hết thời hạn lưu trữ — the list of a destruction decision (Circular 06/2025); the notes column
    /// holds the reason (lý do hủy); totals in files, sheets and pages.
    /// </summary>
    DestructionList = 3,

    /// <summary>
    /// Danh mục hồ sơ — the file list (Decree 30, Appendix V): number and notation, title, retention (thời hạn lưu trữ),
    /// the unit or person who formed the file, notes; totals split permanent / fixed-term.
    /// </summary>
    FileList = 4,

    /// <summary>
    /// Mục lục văn bản — the documents inside one record file, in its document order: each <see cref="CatalogueEntry"/>
    /// is a document (number and notation, date in <see cref="CatalogueEntry.StartDate"/>, type and summary in
    /// <see cref="CatalogueEntry.Title"/>, author in <see cref="CatalogueEntry.Creator"/>, sheet/page in
    /// <see cref="CatalogueEntry.Position"/>, notes).
    /// </summary>
    DocumentCatalogue = 5,
}

/// <summary>A column of a catalogue table; which columns a kind prints is <see cref="CatalogueDocument.Columns"/>.</summary>
public enum CatalogueColumn
{
    /// <summary>STT: the row number.</summary>
    Number = 0,

    /// <summary><see cref="CatalogueEntry.FileNotation"/>.</summary>
    Notation = 1,

    /// <summary><see cref="CatalogueEntry.Title"/>.</summary>
    Title = 2,

    /// <summary><see cref="CatalogueEntry.StartDate"/> (a document's date in a document catalogue).</summary>
    StartDate = 3,

    /// <summary><see cref="CatalogueEntry.EndDate"/>.</summary>
    EndDate = 4,

    /// <summary><see cref="CatalogueEntry.Retention"/>.</summary>
    Retention = 5,

    /// <summary><see cref="CatalogueEntry.Sheets"/>.</summary>
    Sheets = 6,

    /// <summary><see cref="CatalogueEntry.Pages"/>.</summary>
    Pages = 7,

    /// <summary><see cref="CatalogueEntry.Notes"/>.</summary>
    Notes = 8,

    /// <summary><see cref="CatalogueEntry.Creator"/>.</summary>
    Creator = 9,

    /// <summary><see cref="CatalogueEntry.Position"/>.</summary>
    Position = 10,
}

/// <summary>One record file (hồ sơ) in a catalogue; the row number (STT) is assigned in order.</summary>
public sealed record CatalogueEntry
{
    /// <summary>Số và ký hiệu hồ sơ (e.g. <c>01.TCCB</c>).</summary>
    public required string FileNotation { get; init; }

    /// <summary>Tiêu đề hồ sơ.</summary>
    public required string Title { get; init; }

    /// <summary>Thời gian bắt đầu.</summary>
    public DateOnly? StartDate { get; init; }

    /// <summary>Thời gian kết thúc.</summary>
    public DateOnly? EndDate { get; init; }

    /// <summary>Thời hạn bảo quản as printed (e.g. <c>Vĩnh viễn</c>, <c>10 năm</c>).</summary>
    public required string Retention { get; init; }

    /// <summary>Whether the retention is permanent: counts in the permanent total, otherwise in the fixed-term one.</summary>
    public bool IsPermanent { get; init; }

    /// <summary>Số tờ.</summary>
    public int? Sheets { get; init; }

    /// <summary>Số trang.</summary>
    public int? Pages { get; init; }

    /// <summary>Ghi chú; for an unfinished file, what remains to be done.</summary>
    public string? Notes { get; init; }

    /// <summary>Đơn vị/người lập hồ sơ (file list); tác giả văn bản (document catalogue).</summary>
    public string? Creator { get; init; }

    /// <summary>Tờ/trang số of a document inside its record file (document catalogue), e.g. <c>3-7</c>.</summary>
    public string? Position { get; init; }
}

/// <summary>A catalogue document: heading, title, the rows (given separately, streamed), totals and signatures.</summary>
public sealed record CatalogueDocument
{
    /// <summary>Which list.</summary>
    public CatalogueKind Kind { get; init; }

    /// <summary>The heading block.</summary>
    public required DocumentHeading Heading { get; init; }

    /// <summary>The title; null for the kind's standard title (e.g. <c>MỤC LỤC HỒ SƠ</c>).</summary>
    public string? Title { get; init; }

    /// <summary>Lines under the title, e.g. <c>Phông: Ủy ban nhân dân xã An Bình</c>, <c>Năm: 2010 - 2024</c>.</summary>
    public IReadOnlyList<string> Subtitles { get; init; } = [];

    /// <summary>Heading of the retention column: <c>Thời hạn bảo quản</c> (Decree 30 forms) or <c>Thời hạn lưu trữ</c> (label since 2025).</summary>
    public string RetentionColumnTitle { get; init; } = "Thời hạn bảo quản";

    /// <summary>
    /// The table's columns, in order: for the catalogues of record files STT, number and notation, title, dates,
    /// retention, sheets, pages, notes; for the file list (<see cref="CatalogueKind.FileList"/>) number and notation,
    /// title, retention, creator, notes; for the document catalogue STT, number and notation, date, type and summary,
    /// author, sheet/page, notes.
    /// </summary>
    public IReadOnlyList<CatalogueColumn> Columns => Kind switch
    {
        CatalogueKind.FileList => [CatalogueColumn.Notation, CatalogueColumn.Title, CatalogueColumn.Retention, CatalogueColumn.Creator, CatalogueColumn.Notes],
        CatalogueKind.DocumentCatalogue => [CatalogueColumn.Number, CatalogueColumn.Notation, CatalogueColumn.StartDate, CatalogueColumn.Title, CatalogueColumn.Creator, CatalogueColumn.Position, CatalogueColumn.Notes],
        _ => [CatalogueColumn.Number, CatalogueColumn.Notation, CatalogueColumn.Title, CatalogueColumn.StartDate, CatalogueColumn.EndDate, CatalogueColumn.Retention, CatalogueColumn.Sheets, CatalogueColumn.Pages, CatalogueColumn.Notes],
    };

    /// <summary>The table's column titles, in the order of <see cref="Columns"/>.</summary>
    public IReadOnlyList<string> ColumnTitles => [.. Columns.Select(ColumnTitle)];

    private string ColumnTitle(CatalogueColumn column) => (column, Kind) switch
    {
        (CatalogueColumn.Number, _) => "STT",
        (CatalogueColumn.Notation, CatalogueKind.DocumentCatalogue) => "Số, ký hiệu văn bản",
        (CatalogueColumn.Notation, _) => "Số và ký hiệu hồ sơ",
        (CatalogueColumn.Title, CatalogueKind.DocumentCatalogue) => "Tên loại và trích yếu nội dung văn bản",
        (CatalogueColumn.Title, CatalogueKind.FileList) => "Tên đề mục và tiêu đề hồ sơ",
        (CatalogueColumn.Title, _) => "Tiêu đề hồ sơ",
        (CatalogueColumn.StartDate, CatalogueKind.DocumentCatalogue) => "Ngày, tháng, năm văn bản",
        (CatalogueColumn.StartDate, _) => "Thời gian bắt đầu",
        (CatalogueColumn.EndDate, _) => "Thời gian kết thúc",
        (CatalogueColumn.Retention, _) => RetentionColumnTitle,
        (CatalogueColumn.Sheets, _) => "Số tờ",
        (CatalogueColumn.Pages, _) => "Số trang",
        (CatalogueColumn.Creator, CatalogueKind.DocumentCatalogue) => "Tác giả văn bản",
        (CatalogueColumn.Creator, _) => "Đơn vị/người lập hồ sơ",
        (CatalogueColumn.Position, _) => "Tờ/trang số",
        (CatalogueColumn.Notes, CatalogueKind.UnfinishedFiles) => "Ghi chú (công việc còn phải giải quyết)",
        (CatalogueColumn.Notes, CatalogueKind.DestructionList) => "Lý do hủy, ghi chú",
        _ => "Ghi chú",
    };

    /// <summary>
    /// The total line under the table: <c>Tổng số: 125 (Một trăm hai mươi lăm) hồ sơ</c>; for the unfinished list
    /// "... hồ sơ chưa giải quyết xong"; for the document catalogue "... văn bản".
    /// </summary>
    /// <param name="totals">The totals written.</param>
    public string TotalLine(CatalogueTotals totals)
    {
        ArgumentNullException.ThrowIfNull(totals);
        return Kind switch
        {
            CatalogueKind.UnfinishedFiles => "Tổng số: " + VietnameseNumber.FigureAndWords(totals.Total) + " hồ sơ chưa giải quyết xong",
            CatalogueKind.DocumentCatalogue => "Tổng số: " + VietnameseNumber.FigureAndWords(totals.Total) + " văn bản",
            _ => totals.TotalLine,
        };
    }

    /// <summary>Whether the split permanent / fixed-term is printed under the total (catalogues and lists of record files other than the unfinished list).</summary>
    public bool PrintsRetentionSplit => Kind is CatalogueKind.FileCatalogue or CatalogueKind.DepositCatalogue or CatalogueKind.FileList;

    /// <summary>Signature blocks under the totals (e.g. NGƯỜI LẬP); none when empty.</summary>
    public IReadOnlyList<Signature> Signatures { get; init; } = [];

    /// <summary>The kind's standard title.</summary>
    public string EffectiveTitle => Title ?? Kind switch
    {
        CatalogueKind.UnfinishedFiles => "DANH SÁCH HỒ SƠ CHƯA GIẢI QUYẾT XONG",
        CatalogueKind.DepositCatalogue => "MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU",
        CatalogueKind.DestructionList => "DANH MỤC TÀI LIỆU HẾT THỜI HẠN LƯU TRỮ",
        CatalogueKind.FileList => "DANH MỤC HỒ SƠ",
        CatalogueKind.DocumentCatalogue => "MỤC LỤC VĂN BẢN",
        _ => "MỤC LỤC HỒ SƠ",
    };
}

/// <summary>Totals of a written catalogue.</summary>
/// <param name="Total">Record files.</param>
/// <param name="Permanent">Permanent ones.</param>
/// <param name="FixedTerm">Fixed-term ones.</param>
/// <param name="Sheets">Sum of sheets.</param>
/// <param name="Pages">Sum of pages.</param>
public sealed record CatalogueTotals(int Total, int Permanent, int FixedTerm, long Sheets, long Pages)
{
    /// <summary>The total line: <c>Tổng số: 125 (Một trăm hai mươi lăm) hồ sơ</c>.</summary>
    public string TotalLine => "Tổng số: " + VietnameseNumber.FigureAndWords(Total) + " hồ sơ";

    /// <summary>The split: <c>Trong đó: Vĩnh viễn: 40 hồ sơ; Có thời hạn: 85 hồ sơ</c>.</summary>
    public string SplitLine => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Trong đó: Vĩnh viễn: {Permanent} hồ sơ; Có thời hạn: {FixedTerm} hồ sơ");
}

/// <summary>A person of a party (ông/bà ..., chức vụ ...).</summary>
/// <param name="FullName">Họ và tên.</param>
/// <param name="Position">Chức vụ.</param>
public sealed record Person(string FullName, string? Position = null);

/// <summary>A party to a handover or transfer: the agency and its representatives.</summary>
public sealed record Party
{
    /// <summary>Tên cơ quan, đơn vị.</summary>
    public required string Name { get; init; }

    /// <summary>Đại diện (name and position); when empty, dotted lines are printed to fill by hand.</summary>
    public IReadOnlyList<Person> Representatives { get; init; } = [];
}

/// <summary>Tài liệu giấy: boxes, files, shelf metres.</summary>
public sealed record PaperQuantity
{
    /// <summary>Số hộp (cặp).</summary>
    public int? Boxes { get; init; }

    /// <summary>Số hồ sơ (đơn vị bảo quản).</summary>
    public int? Files { get; init; }

    /// <summary>Số mét giá.</summary>
    public decimal? ShelfMetres { get; init; }
}

/// <summary>Tài liệu điện tử: record files, digital files, bytes.</summary>
public sealed record ElectronicQuantity
{
    /// <summary>Số hồ sơ điện tử.</summary>
    public int? Files { get; init; }

    /// <summary>Số tệp (file) tài liệu.</summary>
    public int? DigitalFiles { get; init; }

    /// <summary>Dung lượng in bytes.</summary>
    public long? Bytes { get; init; }
}

/// <summary>What a handover record (biên bản giao nhận) and a transfer record (biên bản thu nộp) have in common.</summary>
public abstract record DeliveryRecordDocument
{
    /// <summary>The heading block (the agency that draws up the record, place and date).</summary>
    public required DocumentHeading Heading { get; init; }

    /// <summary>Căn cứ — the legal basis, one item per line (e.g. <c>Luật Lưu trữ số 33/2024/QH15</c>).</summary>
    public IReadOnlyList<string> LegalBasis { get; init; } = [];

    /// <summary>Where the record is drawn up (tại ...), when said.</summary>
    public string? Venue { get; init; }

    /// <summary>Bên giao / bên giao nộp.</summary>
    public required Party Handing { get; init; }

    /// <summary>Bên nhận / bên thu nhận.</summary>
    public required Party Receiving { get; init; }

    /// <summary>Tên khối tài liệu (e.g. <c>Phông lưu trữ Ủy ban nhân dân xã An Bình</c>).</summary>
    public required string RecordsBlockName { get; init; }

    /// <summary>Thời gian của tài liệu: from.</summary>
    public DateOnly? From { get; init; }

    /// <summary>Thời gian của tài liệu: to.</summary>
    public DateOnly? To { get; init; }

    /// <summary>Paper quantities; null when there is no paper.</summary>
    public PaperQuantity? Paper { get; init; }

    /// <summary>Electronic quantities; null when there are no electronic records.</summary>
    public ElectronicQuantity? Electronic { get; init; }

    /// <summary>Tình trạng tài liệu (condition); dotted line when null.</summary>
    public string? Condition { get; init; }

    /// <summary>Công cụ tra cứu kèm theo — the catalogues attached, one per line (e.g. <c>Mục lục hồ sơ: 01 quyển, 125 hồ sơ</c>).</summary>
    public IReadOnlyList<string> Attachments { get; init; } = [];

    /// <summary>Số bản — the record is made in this many copies, each party keeping one (default 2).</summary>
    public int Copies { get; init; } = 2;
}

/// <summary>Biên bản giao nhận hồ sơ, tài liệu — the handover record (Decree 30, Appendix V).</summary>
public sealed record HandoverRecordDocument : DeliveryRecordDocument;

/// <summary>Biên bản thu nộp hồ sơ, tài liệu — the record of a transfer to the Historical Archives (Circular 06/2025).</summary>
public sealed record TransferRecordDocument : DeliveryRecordDocument
{
    /// <summary>Outcome of checking the deposit catalogue against the records (kết quả kiểm tra, đối chiếu); dotted line when null.</summary>
    public string? CheckResult { get; init; }
}

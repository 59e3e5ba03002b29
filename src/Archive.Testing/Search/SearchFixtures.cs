using Archive.Search;

namespace Archive.Testing.Search;

/// <summary>
/// Small Vietnamese records written for the conformance suite (no external corpus): record files and documents
/// with every filterable field, accent look-alikes (hồ / họ), đ/d, a phrase and its scattered words, paged text
/// and HTML-looking content.
/// </summary>
public static class SearchFixtures
{
    /// <summary>The agency of the Hanoi records.</summary>
    public const string HanoiAgency = "000.00.00.H30";
    /// <summary>The agency of the ministry records.</summary>
    public const string MinistryAgency = "000.00.00.G09";

    /// <summary>The documents every search test indexes (Vietnamese titles, subjects, texts, dates, access levels).</summary>
    public static IReadOnlyList<SearchDocument> Records { get; } =
    [
        new()
        {
            Id = "hs-001",
            Kind = SearchDocumentKind.RecordFile,
            Title = "Hồ sơ lưu trữ lịch sử tỉnh Hà Nam năm 2020",
            Subject = "Tài liệu nộp lưu vào Lưu trữ lịch sử của tỉnh",
            Text = "Danh mục hồ sơ nộp lưu gồm các văn bản có giá trị vĩnh viễn.",
            Keywords = ["lưu trữ", "nộp lưu"],
            AgencyId = HanoiAgency,
            FondsId = "PHONG-UBND",
            FileCode = "000.00.00.H30.2020.01.TH",
            DocumentType = "Hồ sơ",
            IssuingBody = "Ủy ban nhân dân tỉnh Hà Nam",
            Retention = "permanent",
            AccessLevel = AccessLevel.Public,
            Status = "finished",
            Date = new DateOnly(2020, 3, 15),
            Tags = new Dictionary<string, string> { ["unit"] = "VP" },
        },
        new()
        {
            Id = "vb-002",
            Kind = SearchDocumentKind.Document,
            ParentId = "hs-001",
            Title = "Công văn về việc chỉnh lý tài liệu tồn đọng",
            Subject = "Đề nghị chỉnh lý tài liệu tồn đọng tại các phòng",
            Text = "Văn phòng đề nghị các phòng chuyên môn phối hợp chỉnh lý tài liệu trước ngày 30/6.",
            Keywords = ["chỉnh lý"],
            AgencyId = HanoiAgency,
            FondsId = "PHONG-UBND",
            CodeNumber = "05/UBND-VP",
            DocumentType = "Công văn",
            IssuingBody = "Văn phòng Ủy ban nhân dân",
            Retention = "10y",
            AccessLevel = AccessLevel.Conditional,
            Status = "finished",
            Date = new DateOnly(2021, 6, 1),
            Tags = new Dictionary<string, string> { ["unit"] = "VP" },
        },
        new()
        {
            Id = "vb-003",
            Kind = SearchDocumentKind.Document,
            ParentId = "hs-001",
            Title = "Quyết định thành lập Hội đồng xác định giá trị tài liệu",
            Subject = "Thành lập Hội đồng để tiêu hủy tài liệu hết thời hạn lưu trữ",
            Text = "Hội đồng có nhiệm vụ xem xét danh mục tài liệu đề nghị tiêu hủy.",
            Keywords = ["tiêu hủy", "lưu trữ"],
            AgencyId = MinistryAgency,
            FondsId = "PHONG-BNV",
            CodeNumber = "12/QĐ-BNV",
            DocumentType = "Quyết định",
            IssuingBody = "Bộ Nội vụ",
            Retention = "permanent",
            AccessLevel = AccessLevel.Secret,
            Status = "unfinished",
            Date = new DateOnly(2019, 12, 31),
            Tags = new Dictionary<string, string> { ["unit"] = "TCCB" },
        },
        new()
        {
            Id = "vb-004",
            Kind = SearchDocumentKind.Document,
            Title = "Báo cáo công tác văn thư năm 2022",
            Subject = "Tổng hợp phản ánh qua đường dây nóng",
            Text = "Trong năm, đường dây nóng tiếp nhận nhiều phản ánh về thủ tục hành chính.",
            AgencyId = MinistryAgency,
            FondsId = "PHONG-BNV",
            CodeNumber = "88/BC-BNV",
            DocumentType = "Báo cáo",
            IssuingBody = "Bộ Nội vụ",
            Retention = "20y",
            AccessLevel = AccessLevel.Public,
            Status = "accessioned",
            Date = new DateOnly(2022, 1, 10),
        },
        new()
        {
            Id = "acc-lake",
            Kind = SearchDocumentKind.Document,
            Title = "Thống kê hồ chứa nước",
            AgencyId = HanoiAgency,
            DocumentType = "Báo cáo",
            Retention = "5y",
            AccessLevel = AccessLevel.Public,
            Status = "finished",
            Date = new DateOnly(2023, 5, 5),
        },
        new()
        {
            Id = "acc-name",
            Kind = SearchDocumentKind.Document,
            Title = "Thống kê họ chứa nước",
            AgencyId = HanoiAgency,
            DocumentType = "Báo cáo",
            Retention = "5y",
            AccessLevel = AccessLevel.Public,
            Status = "finished",
            Date = new DateOnly(2023, 5, 5),
        },
        new()
        {
            Id = "scatter",
            Kind = SearchDocumentKind.RecordFile,
            Title = "Lịch sử hình thành phông và công tác lưu trữ cơ quan",
            AgencyId = HanoiAgency,
            FondsId = "PHONG-UBND",
            Retention = "permanent",
            AccessLevel = AccessLevel.Public,
            Status = "finished",
        },
        new()
        {
            Id = "paged",
            Kind = SearchDocumentKind.Document,
            Title = "Biên bản giao nhận tài liệu",
            Pages =
            [
                "Trang một: thành phần tham dự gồm đại diện hai bên giao và bên nhận.",
                "Trang hai: bên giao bàn giao phông lưu trữ của Sở Nội vụ cho bên nhận.",
                "Trang ba: biên bản được lập thành hai bản có giá trị như nhau.",
            ],
            AgencyId = MinistryAgency,
            DocumentType = "Biên bản",
            Retention = "permanent",
            AccessLevel = AccessLevel.Conditional,
            Status = "accessioned",
            Date = new DateOnly(2024, 2, 29),
            Keywords = ["giao nhận"],
            Tags = new Dictionary<string, string> { ["unit"] = "LT" },
        },
        new()
        {
            Id = "html",
            Kind = SearchDocumentKind.Document,
            Title = "Thông báo kết quả hòa giải",
            Text = "Nội dung <script>alert('x')</script> & kết quả hòa giải tại cơ sở \"thôn Đông\".",
            AgencyId = HanoiAgency,
            DocumentType = "Thông báo",
            Retention = "10y",
            AccessLevel = AccessLevel.Public,
            Status = "finished",
            Date = new DateOnly(2021, 11, 20),
        },
    ];

    /// <summary>The fixture document with id <paramref name="id"/>.</summary>
    public static SearchDocument Get(string id) => Records.Single(r => r.Id == id);
}

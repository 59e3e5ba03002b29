using System.Globalization;
using Archive.Documents;
using Archive.Records;
using Archive.Security;

namespace Archive.Registers;

/// <summary>Maps <see cref="RecordStatistics"/> onto the report model of <see cref="IStatisticsReportWriter"/> (Vietnamese headings, one sheet per breakdown).</summary>
internal static class StatisticsReport
{
    private static readonly string[] FileColumns = ["Số hồ sơ", "Số văn bản", "Số trang", "Dung lượng (byte)", "Số hộp", "Mét giá"];
    private static readonly string[] BacklogColumns = ["Số lô", "Mét giá", "Đã chỉnh lý (mét giá)", "Còn lại (mét giá)", "Số hộp", "Số bó, gói", "Hồ sơ đã lập"];

    public static async ValueTask<StatisticsReportDocument> DocumentAsync(RecordStatistics s, AgencyRegistry agencies, FondsRegistry fonds, ArchiveCaller? caller, CancellationToken cancellationToken)
    {
        var r = s.Request;
        Fonds? f = r.FondsCode is { } code ? (await fonds.GetAsync(code, cancellationToken).ConfigureAwait(false))?.Value : null;
        var agencyId = r.AgencyId ?? (f is not null ? ArchiveAccessPolicy.CustodianOf(f) : caller?.PrimaryAgency);
        var holder = agencyId is null ? null : (await agencies.GetAsync(agencyId, cancellationToken).ConfigureAwait(false))?.Value;
        var parent = holder?.ParentId is { } parentId ? (await agencies.GetAsync(parentId, cancellationToken).ConfigureAwait(false))?.Value : null;
        var today = DateOnly.FromDateTime(s.GeneratedAt.ToOffset(TimeSpan.FromHours(7)).DateTime);
        var subtitles = new List<string>();
        if (r.AgencyId is not null)
        {
            subtitles.Add("Cơ quan: " + (holder?.Name ?? r.AgencyId) + " (" + r.AgencyId + ")");
        }

        if (f is not null)
        {
            subtitles.Add("Phông: " + f.Name + " (" + f.Code + ")");
        }

        if (r.Year is { } y)
        {
            subtitles.Add("Năm hình thành hồ sơ: " + y.ToString(CultureInfo.InvariantCulture));
        }

        if (r.From is not null || r.To is not null)
        {
            subtitles.Add("Thời gian của hồ sơ: " + (r.From is { } from ? "từ ngày " + Date(from) : string.Empty) + (r.From is not null && r.To is not null ? " " : string.Empty) + (r.To is { } to ? "đến ngày " + Date(to) : string.Empty));
        }

        subtitles.Add("Mét giá tính theo số hộp × " + Number(s.BoxWidthMetres) + " m/hộp");
        var t = s.Totals;
        var b = s.Backlog;
        var d = s.Destroyed;
        var summary = new List<StatisticsReportRow>
        {
            new("Số hồ sơ", [t.Files]),
            new("Số văn bản", [t.Documents]),
            new("Số trang", [t.Pages]),
            new("Dung lượng tài liệu số (byte)", [t.Bytes]),
            new("Số hộp", [t.Boxes]),
            new("Mét giá", [t.ShelfMetres]),
            new("Hồ sơ đã hủy", [d.Files]),
            new("Số trang đã hủy", [d.Pages]),
            new("Tài liệu tồn đọng: số lô", [b.Batches]),
            new("Tài liệu tồn đọng: mét giá", [b.ShelfMetres]),
            new("Tài liệu tồn đọng: đã chỉnh lý (mét giá)", [b.ProcessedMetres]),
            new("Tài liệu tồn đọng: còn lại (mét giá)", [b.RemainingMetres]),
            new("Tốc độ chỉnh lý (mét giá/tháng)", [b.MetresPerMonth]),
        };
        return new StatisticsReportDocument
        {
            Heading = new DocumentHeading { ParentAgencyName = parent?.Name, AgencyName = holder?.Name ?? agencyId ?? "Hệ thống lưu trữ", Date = today },
            Title = "BÁO CÁO THỐNG KÊ TÀI LIỆU LƯU TRỮ",
            Subtitles = subtitles,
            Sheets =
            [
                new StatisticsReportSheet { Name = "Tổng hợp", Title = "Tổng hợp", ColumnTitles = ["Nội dung", "Số lượng"], Rows = summary },
                Sheet("Theo cơ quan", "Thống kê theo cơ quan quản lý", "Cơ quan", s.ByAgency, t),
                Sheet("Theo phông", "Thống kê theo phông lưu trữ", "Phông", s.ByFonds, t),
                Sheet("Theo năm", "Thống kê theo năm hình thành hồ sơ", "Năm", s.ByYear, t),
                Sheet("Theo thời hạn lưu trữ", "Thống kê theo thời hạn lưu trữ", "Thời hạn lưu trữ", s.ByRetention, t),
                Sheet("Theo tình trạng giải quyết", "Thống kê theo tình trạng giải quyết", "Tình trạng", s.ByStatus, t),
                Sheet("Theo mức độ tiếp cận", "Thống kê theo mức độ tiếp cận", "Mức độ tiếp cận", s.ByAccess, t),
                Sheet("Giấy và số hóa", "Thống kê tài liệu giấy và tài liệu số", "Loại", s.ByMedium, t),
                Sheet("Bàn giao, nộp lưu", "Thống kê theo tình trạng quản lý", "Tình trạng quản lý", s.ByCustody, t),
                BacklogSheet("Tồn đọng theo trạng thái", "Tài liệu tồn đọng theo trạng thái chỉnh lý", "Trạng thái", b.ByStatus, b),
                BacklogSheet("Tồn đọng theo vị trí", "Tài liệu tồn đọng chưa chỉnh lý xong theo vị trí", "Vị trí", b.ByLocation, null),
            ],
        };
    }

    private static StatisticsReportSheet Sheet(string name, string title, string label, IReadOnlyList<StatisticsRow> rows, StatisticsCounts totals) => new()
    {
        Name = name,
        Title = title,
        ColumnTitles = [label, .. FileColumns],
        Rows = [.. rows.Select(r => new StatisticsReportRow(r.Label, Values(r.Counts))), new StatisticsReportRow("Cộng", Values(totals), IsTotal: true)],
    };

    private static StatisticsReportSheet BacklogSheet(string name, string title, string label, IReadOnlyList<BacklogStatisticsRow> rows, BacklogStatistics? totals) => new()
    {
        Name = name,
        Title = title,
        ColumnTitles = [label, .. BacklogColumns],
        Rows =
        [
            .. rows.Select(r => new StatisticsReportRow(r.Label, [r.Batches, r.ShelfMetres, r.ProcessedMetres, r.RemainingMetres, r.Boxes, r.Bundles, r.Files])),
            .. totals is null ? Array.Empty<StatisticsReportRow>() : [new StatisticsReportRow("Cộng", [totals.Batches, totals.ShelfMetres, totals.ProcessedMetres, totals.RemainingMetres, totals.Boxes, totals.Bundles, totals.FilesProduced], IsTotal: true)],
        ],
    };

    private static decimal?[] Values(StatisticsCounts c) => [c.Files, c.Documents, c.Pages, c.Bytes, c.Boxes, c.ShelfMetres];

    private static string Date(DateOnly d) => d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    private static string Number(decimal m) => m.ToString("0.###", CultureInfo.InvariantCulture).Replace('.', ',');
}

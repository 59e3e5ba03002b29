namespace Archive.Documents.Tests;

internal static class Samples
{
    public static DocumentHeading Heading => new()
    {
        ParentAgencyName = "Ủy ban nhân dân huyện Hòa Vang",
        AgencyName = "Ủy ban nhân dân xã An Bình",
        Place = "An Bình",
        Date = new DateOnly(2026, 1, 5),
    };

    public static CatalogueDocument Catalogue(CatalogueKind kind = CatalogueKind.FileCatalogue) => new()
    {
        Kind = kind,
        Heading = Heading,
        Subtitles = ["Phông: Ủy ban nhân dân xã An Bình (P-A)", "Năm: 2010 - 2024"],
        Signatures = [new Signature("Người lập", "Nguyễn Thị Hoà"), new Signature("Thủ trưởng cơ quan")],
    };

    /// <summary>125 files: every third permanent (42), the rest fixed-term (83).</summary>
    public static IEnumerable<CatalogueEntry> Entries(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            var permanent = i % 3 == 1;
            yield return new CatalogueEntry
            {
                FileNotation = $"{i:00}.VP",
                Title = $"Hồ sơ số {i}: tập văn bản về việc sắp xếp, hợp nhất đơn vị hành chính cấp xã năm 2025",
                StartDate = new DateOnly(2010 + (i % 15), 1 + (i % 12), 1 + (i % 28)),
                EndDate = new DateOnly(2011 + (i % 14), 12, 31),
                Retention = permanent ? "Vĩnh viễn" : "10 năm",
                IsPermanent = permanent,
                Sheets = 10 + (i % 7),
                Pages = 20 + (i % 7),
                Notes = i % 10 == 0 ? $"Ghi chú {i}" : null,
            };
        }
    }
}

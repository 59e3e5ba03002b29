using Xunit;
using Archive.Indexing;
using Archive.Records;
using Archive.Retention;
using Archive.Search;

namespace Archive.Core.Tests.Indexing;

public sealed class SearchProjectionTests
{
    private static readonly RecordFile File = new()
    {
        FileCode = "000.00.00.G09.2015.01.TCCB",
        OrganId = "000.00.00.G09",
        FileCatalog = 2015,
        FileNotation = "01.TCCB",
        FondsCode = "P-G09",
        Title = "Hồ sơ sắp xếp tổ chức",
        Maintenance = RetentionPeriod.OfYears(10),
        ScheduleItemCode = "tt10.staff-planning-other",
        Rights = AccessLevel.Conditional,
        StartDate = new DateOnly(2015, 1, 5),
        EndDate = new DateOnly(2016, 2, 1),
        Description = "Ghi chú hồ sơ",
        Keywords = ["tổ chức"],
        LegalHold = true,
        Documents =
        [
            new Document { DocOrdinal = 1, TypeName = "Công văn", CodeNumber = "05", CodeNotation = "BNV-VP", OrganName = "Bộ Nội vụ", Subject = "Về việc sắp xếp", IssuedDate = new DateOnly(2015, 3, 19) },
            new Document { DocOrdinal = 2, TypeName = "Báo", Subject = "Báo in", NonArchival = new NonArchivalMark(NonArchivalKind.Newspaper, "Báo", DateTimeOffset.UnixEpoch, "a") },
        ],
    };

    [Fact]
    public void Record_file_and_documents_are_projected_with_inherited_access_and_retention()
    {
        var docs = SearchProjection.Project(File, d => d.DocOrdinal == 1 ? ["trang một", "trang hai"] : null);
        Assert.Equal(3, docs.Count);
        var f = docs[0];
        Assert.Equal((File.FileCode, SearchDocumentKind.RecordFile), (f.Id, f.Kind));
        Assert.Equal("Hồ sơ sắp xếp tổ chức", f.Title);
        Assert.Equal("Ghi chú hồ sơ", f.Text);
        Assert.Equal(("000.00.00.G09", "P-G09", "10y", AccessLevel.Conditional, "finished"), (f.AgencyId, f.FondsId, f.Retention, f.AccessLevel, f.Status));
        Assert.Equal(new DateOnly(2015, 1, 5), f.Date);
        Assert.Equal("2016", f.Tags![SearchProjection.TagClosingYear]);
        Assert.Equal("true", f.Tags[SearchProjection.TagLegalHold]);
        Assert.Equal("false", f.Tags[SearchProjection.TagNonArchival]);
        Assert.Equal("tt10.staff-planning-other", f.Tags[SearchProjection.TagScheduleItem]);

        var d1 = docs[1];
        Assert.Equal((File.FileCode + "/1", SearchDocumentKind.Document, File.FileCode), (d1.Id, d1.Kind, d1.ParentId));
        Assert.Equal(("Công văn 05/BNV-VP", "Về việc sắp xếp", "05/BNV-VP", "Công văn", "Bộ Nội vụ"), (d1.Title, d1.Subject, d1.CodeNumber, d1.DocumentType, d1.IssuingBody));
        Assert.Equal(["trang một", "trang hai"], d1.Pages!);
        Assert.Equal((AccessLevel.Conditional, "10y", new DateOnly(2015, 3, 19)), (d1.AccessLevel, d1.Retention, d1.Date));
        Assert.Equal("false", d1.Tags![SearchProjection.TagNonArchival]);
        Assert.Equal("true", docs[2].Tags![SearchProjection.TagNonArchival]);
        Assert.Null(docs[2].Pages);
        Assert.Null(docs[2].CodeNumber);

        Assert.Equal("accessioned", SearchProjection.StatusOf(File with { AccessionedAt = DateTimeOffset.UnixEpoch }));
        Assert.Equal("unfinished", SearchProjection.StatusOf(File with { Status = RecordFileStatus.Unfinished }));
    }
}

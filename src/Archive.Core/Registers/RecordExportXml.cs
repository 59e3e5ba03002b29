using System.Globalization;
using System.Text;
using System.Xml;
using Archive.Records;
using Archive.Transfer;

namespace Archive.Registers;

/// <summary>
/// The XML of a record file export: the record file's elements under their Decree 30 (Appendix VI) names, its Dublin Core
/// description exactly as a submission package carries it (<see cref="SipXml.WriteDublinCore"/>), then the documents in
/// the PDF's chronological order, each with its Decree 30 elements, its page range in the PDF and its contents (name,
/// media type, size, SHA-256, pages, how the PDF shows it). Streamed with <see cref="XmlWriter"/>.
/// </summary>
internal static class RecordExportXml
{
    /// <summary>The namespace of the export's own elements.</summary>
    public const string Namespace = "urn:archive:record-file-export:1";

    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(false),
        Indent = true,
        CheckCharacters = true,
        CloseOutput = false,
    };

    public static void Write(ExportContext c, Stream output)
    {
        var f = c.File;
        using var w = XmlWriter.Create(output, Settings);
        w.WriteStartDocument();
        w.WriteStartElement("RecordFileExport", Namespace);
        w.WriteAttributeString("exported", c.Now.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture));
        w.WriteAttributeString("version", Int(c.Version));
        w.WriteAttributeString("pdfPages", Int(c.TotalPages));
        w.WriteAttributeString("order", "chronological: document date, then ordinal; undated documents last");

        w.WriteStartElement("RecordFile", Namespace);
        void E(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                w.WriteElementString(name, Namespace, value);
            }
        }

        E("FileCode", f.FileCode);
        E("OrganId", f.OrganId);
        E("FileCatalog", Int(f.FileCatalog));
        E("FileNotation", f.FileNotation);
        E("FondsCode", f.FondsCode);
        E("FondsName", c.Fonds?.Name);
        E("Title", f.Title);
        E("Maintenance", f.Maintenance.ToVietnamese());
        E("Rights", TransferService.AccessText(f.Rights));
        E("Creator", f.Creator);
        E("Language", f.Language);
        E("StartDate", IsoDate(f.StartDate));
        E("EndDate", IsoDate(f.EndDate));
        E("DocTotal", Int(c.Documents.Count));
        E("PageTotal", Int(f.PageTotal));
        E("Description", f.Description);
        E("InforSign", f.InforSign);
        foreach (var k in f.Keywords)
        {
            E("Keyword", k);
        }

        E("SheetNumber", f.SheetNumber is { } sheets ? Int(sheets) : null);
        E("Format", f.Format?.ToString());
        E("ConfidenceLevel", f.ConfidenceLevel?.ToString());
        E("PaperFileCode", f.PaperFileCode);
        E("Status", f.Status.ToString());
        if (c.Fonds is not null)
        {
            SipXml.WriteDublinCore(w, f, c.Holder?.Name ?? f.OrganId, c.Fonds);
        }

        w.WriteEndElement();

        w.WriteStartElement("Documents", Namespace);
        foreach (var row in c.Rows)
        {
            var d = row.Document;
            w.WriteStartElement("Document", Namespace);
            w.WriteAttributeString("order", Int(row.Number));
            if (row.Pages is { } pages)
            {
                w.WriteAttributeString("pdfFirstPage", Int(pages.First));
                w.WriteAttributeString("pdfLastPage", Int(pages.Last));
            }

            E("DocOrdinal", Int(d.DocOrdinal));
            E("TypeName", d.TypeName);
            E("CodeNumber", d.CodeNumber);
            E("CodeNotation", d.CodeNotation);
            E("IssuedDate", IsoDate(d.IssuedDate));
            E("OrganName", d.OrganName);
            E("Subject", d.Subject);
            E("Language", d.Language);
            E("PageAmount", Int(d.PageAmount));
            E("Description", d.Description);
            if (d.SignerInfo is { } signer)
            {
                w.WriteStartElement("SignerInfo", Namespace);
                E("Position", signer.Position);
                E("FullName", signer.FullName);
                w.WriteEndElement();
            }

            E("ConfidenceLevel", d.ConfidenceLevel.ToString());
            if (d.NonArchival is { } mark)
            {
                w.WriteStartElement("NonArchival", Namespace);
                w.WriteAttributeString("kind", mark.Kind.ToString());
                w.WriteString(mark.Reason);
                w.WriteEndElement();
            }

            w.WriteStartElement("Contents", Namespace);
            foreach (var part in c.Parts.Where(p => ReferenceEquals(p.Document, d)))
            {
                var content = part.Content;
                w.WriteStartElement("Content", Namespace);
                E("Name", content.Name);
                E("MediaType", content.MediaType);
                E("Size", content.Length.ToString(CultureInfo.InvariantCulture));
                E("Sha256", content.Sha256);
                w.WriteStartElement("PdfPages", Namespace);
                w.WriteAttributeString("first", Int(part.FirstPage));
                w.WriteAttributeString("last", Int(part.FirstPage + part.Pages - 1));
                w.WriteAttributeString("rendering", part.Rendering.ToString().ToLowerInvariant());
                if (part.Note is not null)
                {
                    w.WriteString(part.Note);
                }

                w.WriteEndElement();
                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteEndElement();
        }

        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string? IsoDate(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}

using System.Globalization;

/// <summary>
/// Progress of a long step on the terminal (stderr): files and bytes done of the total and a percentage. On a
/// terminal the line is updated in place (at most five times a second); when stderr is redirected (a log file, a
/// pipe), one line is written each time another 5 % is done, so a log stays short.
/// </summary>
internal sealed class TerminalProgress
{
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(200);

    private readonly TextWriter _error;
    private readonly string _label;
    private readonly bool _inPlace;
    private readonly TimeProvider _time;
    private DateTimeOffset _lastDraw = DateTimeOffset.MinValue;
    private int _lastBucket = -1;
    private int _lastLength;
    private string? _last;

    /// <summary>Creates the reporter.</summary>
    /// <param name="error">Where progress goes (stderr).</param>
    /// <param name="label">What is being done, e.g. "Exporting".</param>
    /// <param name="inPlace">Whether to redraw one line (stderr is a terminal).</param>
    /// <param name="time">Clock; the system clock when null.</param>
    public TerminalProgress(TextWriter error, string label, bool inPlace, TimeProvider? time = null)
    {
        _error = error;
        _label = label;
        _inPlace = inPlace;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Reports the state; called synchronously by the engine after each file.</summary>
    public void Report(int filesDone, int filesTotal, long bytesDone, long bytesTotal)
    {
        var percent = Percent(filesDone, filesTotal, bytesDone, bytesTotal);
        var line = Line(filesDone, filesTotal, bytesDone, bytesTotal, percent);
        if (_inPlace)
        {
            var now = _time.GetUtcNow();
            if (now - _lastDraw < RedrawInterval && percent < 100)
            {
                _last = line;
                return;
            }

            _lastDraw = now;
            Draw(line);
            return;
        }

        var bucket = percent / 5;
        if (bucket > _lastBucket)
        {
            _lastBucket = bucket;
            _error.WriteLine(line);
            _last = null;
        }
        else
        {
            _last = line;
        }
    }

    /// <summary>Ends the progress display: the final state is shown and the line ended.</summary>
    public void Complete()
    {
        if (_inPlace)
        {
            if (_last is not null)
            {
                Draw(_last);
            }

            if (_lastLength > 0)
            {
                _error.WriteLine();
            }
        }
        else if (_last is not null)
        {
            _error.WriteLine(_last);
        }

        _last = null;
        _lastLength = 0;
    }

    /// <summary>
    /// Percentage done: by bytes (what takes the time), by files when there are no bytes to count; never 100 before
    /// the last file (a handover writes its catalogues and documents after the payload).
    /// </summary>
    internal static int Percent(int filesDone, int filesTotal, long bytesDone, long bytesTotal)
    {
        var percent = bytesTotal > 0 ? (int)Math.Min(100, bytesDone * 100 / bytesTotal)
            : filesTotal > 0 ? Math.Min(100, filesDone * 100 / filesTotal)
            : 100;
        return percent == 100 && filesDone < filesTotal ? 99 : percent;
    }

    /// <summary>A size for people: 512 B, 3.2 KB, 10.5 MB, 1.25 GB.</summary>
    internal static string Size(long bytes) => bytes switch
    {
        < 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        < 1024L * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024:0.#} MB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024 / 1024:0.##} GB"),
    };

    private string Line(int filesDone, int filesTotal, long bytesDone, long bytesTotal, int percent)
        => string.Create(CultureInfo.InvariantCulture, $"{_label}: {filesDone}/{filesTotal} files, {Size(bytesDone)} of {Size(bytesTotal)} ({percent}%)");

    private void Draw(string line)
    {
        var pad = _lastLength > line.Length ? new string(' ', _lastLength - line.Length) : string.Empty;
        _error.Write("\r" + line + pad);
        _error.Flush();
        _lastLength = line.Length;
        _last = null;
    }
}

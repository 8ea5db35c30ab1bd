<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>JobController</name>
    <message>
        <source>%1: does not exist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: no supported images in this folder</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Images (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>Fast</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Balanced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quality</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Stages</name>
    <message>
        <source>Image loading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preprocessing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shape generation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Surface extraction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mesh clean-up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Texturing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diffusion step %1/%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decoding chunk %1/%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading model weights %1/%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading model weights</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Encoding the image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decoding the latents</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>less than a second left</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>about %n s left</source>
        <translation>
            <numerusform>about %n second left</numerusform>
            <numerusform>about %n seconds left</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n min left</source>
        <translation>
            <numerusform>about %n minute left</numerusform>
            <numerusform>about %n minutes left</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 GB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 MB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 kB</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Studio</name>
    <message>
        <source>ORFEAS Studio: turn an image into a textured 3D model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interface language for this run: en, el or de.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start with the default window layout.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images or folders to turn into models.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Viewport</name>
    <message>
        <source>No model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 vertices · %2 faces · size %3 × %4 × %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The 3D view is off on the &apos;%1&apos; platform.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The 3D view needs OpenGL, which could not be initialised.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The 3D view is turned off (ORFEAS_VIEWPORT).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>orfeas::ui::AboutDialog</name>
    <message>
        <source>About ORFEAS Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>available</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not available</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h2&gt;ORFEAS Studio %1&lt;/h2&gt;&lt;p&gt;Turns one image into a textured 3D model: Hunyuan3D-2 on an NVIDIA GPU when its weights are installed, classic silhouette inflation on the CPU otherwise.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Build:&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;Qt:&lt;/b&gt; %2&lt;br&gt;&lt;b&gt;GPU:&lt;/b&gt; %3&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Shape backends:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;%1&lt;/ul&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Settings:&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;Log:&lt;/b&gt; %2&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>orfeas::ui::DropZone</name>
    <message>
        <source>Drop images or folders here, click to open files, or paste an image with Ctrl+V</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only local files can be opened; skipped: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dropped image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop images or folders here
click to browse · Ctrl+V to paste</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>orfeas::ui::ExportBar</name>
    <message>
        <source>Save to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the output folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open the output folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Formats:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>glTF binary with the texture inside</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OBJ with MTL and a PNG texture</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>STL: geometry only, for printing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PLY with vertex colours</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>orfeas::ui::GpuPanel</name>
    <message>
        <source>Looking for GPUs…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Utilisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Power</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Utilisation %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Memory %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>seconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No NVIDIA GPU detected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NVML reports no devices.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPU %1: %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 (%3 %)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 °C</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not reported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 W</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>orfeas::ui::ImagePreviewPanel</name>
    <message>
        <source>Input</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seen by the shape stage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mask</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preprocessing did not finish for this job.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask comes from the image&apos;s own transparency.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The mask comes from background removal: check that it covers the subject and nothing else.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The input, the image the shape stage sees and the mask appear here when the job ends.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>orfeas::ui::JobController</name>
    <message>
        <source>Cannot create the output folder %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The settings are not valid: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: its output already exists</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) added.</source>
        <translation>
            <numerusform>%n job added.</numerusform>
            <numerusform>%n jobs added.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) skipped: %1</source>
        <translation>
            <numerusform>%n file skipped: %1</numerusform>
            <numerusform>%n files skipped: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>The clipboard holds no image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The image is too large (%1 × %2)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>orfeas::ui::JobListPanel</name>
    <message>
        <source>&amp;Cancel Job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Retry Job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;move Job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show &amp;Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove &amp;Finished Jobs</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>orfeas::ui::JobModel</name>
    <message>
        <source>Running: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n log line(s) dropped: the engine logged faster than the window could show</source>
        <translation>
            <numerusform>%n log line dropped: the engine logged faster than the window could show</numerusform>
            <numerusform>%n log lines dropped: the engine logged faster than the window could show</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>orfeas::ui::LogPanel</name>
    <message>
        <source>Debug and above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write the log file %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>orfeas::ui::MainWindow</name>
    <message>
        <source>ORFEAS Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace existing files?</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n output file(s) already exist, for example:
%1</source>
        <translation>
            <numerusform>%n output file already exists, for example:
%1</numerusform>
            <numerusform>%n output files already exist, for example:
%1</numerusform>
        </translation>
    </message>
    <message>
        <source>Replace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skip These Images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored settings were not usable and were reset: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GPU</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 running · %2 queued · %3 done · %4 failed or cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit ORFEAS Studio?</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) are still queued or running. Cancel them and quit?</source>
        <translation>
            <numerusform>%n job is still queued or running. Cancel it and quit?</numerusform>
            <numerusform>%n jobs are still queued or running. Cancel them and quit?</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Open Images…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Paste Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Output F&amp;older</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel &amp;All Jobs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Frame Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Wireframe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Normals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Ground Grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Textured</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Clay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Vertex Colours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About ORFEAS Studio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Jobs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Shading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Panels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Main</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No recent files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Clear List</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a Folder of Images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pasted image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not checked yet</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>orfeas::ui::ModelManagerDialog</name>
    <message>
        <source>Models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hunyuan3D-2 model folders found on this computer. Without a usable model (or without an NVIDIA GPU) the classic backend is used.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Variant</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Repository</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weights</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use This Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add Folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rescan</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a folder with models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 M</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (distilled)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>usable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No model folders found. Searched: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n usable model folder(s).</source>
        <translation>
            <numerusform>%n usable model folder.</numerusform>
            <numerusform>%n usable model folders.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>orfeas::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preset:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fast, Balanced and Quality set steps, resolutions, the face budget and the texture size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new language applies the next time ORFEAS Studio starts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Jobs that run at the same time. CPU stages of one job overlap GPU stages of another.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Concurrent jobs:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show each job as it starts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>auto, cpu, cuda or cuda:N</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>General</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Automatic (neural when a model and a GPU are present)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Classic silhouette inflation (CPU)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hunyuan3D-2 (neural)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backend:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>found automatically</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Models…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Classic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grid resolution:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Depth of the inflated body; 1 gives round cross-sections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Thickness:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Neural</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diffusion steps:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Guidance scale:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Octree resolution:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>automatic</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Points per decoding chunk; automatic sizes it from free GPU memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Chunk size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hierarchical (fast)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dense</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decoding:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Precision:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save GPU memory (slower)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shape</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preprocessed size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty border around the subject, as a share of the image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Border ratio:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Colour distance that still counts as background when an image has no transparency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Background tolerance:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no reduction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Face budget:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loose parts smaller than this share of the largest part are removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Smallest part kept:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Texture size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>GLB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OBJ + MTL + PNG</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>STL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PLY</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export formats:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mesh and export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot use these settings: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>orfeas::ui::StagePanel</name>
    <message>
        <source>Stage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Left</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Detail</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No job selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for a free worker…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Elapsed %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share of total</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done in %1 with the %2 backend: %3 vertices, %4 faces.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled after %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed after %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Slowest stage: %1 (%2 % of the total).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>image %1, in parallel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>

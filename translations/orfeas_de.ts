<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>JobController</name>
    <message>
        <source>%1: does not exist</source>
        <translation>%1: existiert nicht</translation>
    </message>
    <message>
        <source>%1: no supported images in this folder</source>
        <translation>%1: keine unterstützten Bilder in diesem Ordner</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Images (%1)</source>
        <translation>Bilder (%1)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>Alle Dateien (*)</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>Fast</source>
        <translation>Schnell</translation>
    </message>
    <message>
        <source>Balanced</source>
        <translation>Ausgewogen</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>Qualität</translation>
    </message>
</context>
<context>
    <name>Stages</name>
    <message>
        <source>Image loading</source>
        <translation>Bild laden</translation>
    </message>
    <message>
        <source>Preprocessing</source>
        <translation>Vorverarbeitung</translation>
    </message>
    <message>
        <source>Shape generation</source>
        <translation>Formerzeugung</translation>
    </message>
    <message>
        <source>Surface extraction</source>
        <translation>Oberflächenextraktion</translation>
    </message>
    <message>
        <source>Mesh clean-up</source>
        <translation>Netzbereinigung</translation>
    </message>
    <message>
        <source>Texturing</source>
        <translation>Texturierung</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>In Warteschlange</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Diffusion step %1/%2</source>
        <translation>Diffusionsschritt %1/%2</translation>
    </message>
    <message>
        <source>Decoding chunk %1/%2</source>
        <translation>Dekodiere Block %1/%2</translation>
    </message>
    <message>
        <source>Loading model weights %1/%2</source>
        <translation>Lade Modellgewichte %1/%2</translation>
    </message>
    <message>
        <source>Loading model weights</source>
        <translation>Lade Modellgewichte</translation>
    </message>
    <message>
        <source>Encoding the image</source>
        <translation>Kodiere das Bild</translation>
    </message>
    <message>
        <source>Decoding the latents</source>
        <translation>Dekodiere die latenten Variablen</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>less than a second left</source>
        <translation>weniger als eine Sekunde übrig</translation>
    </message>
    <message numerus="yes">
        <source>about %n s left</source>
        <translation>
            <numerusform>noch etwa %n Sekunde</numerusform>
            <numerusform>noch etwa %n Sekunden</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>about %n min left</source>
        <translation>
            <numerusform>noch etwa %n Minute</numerusform>
            <numerusform>noch etwa %n Minuten</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 GB</source>
        <translation>%1 GB</translation>
    </message>
    <message>
        <source>%1 MB</source>
        <translation>%1 MB</translation>
    </message>
    <message>
        <source>%1 kB</source>
        <translation>%1 kB</translation>
    </message>
</context>
<context>
    <name>Studio</name>
    <message>
        <source>ORFEAS Studio: turn an image into a textured 3D model.</source>
        <translation>ORFEAS Studio: macht aus einem Bild ein texturiertes 3D-Modell.</translation>
    </message>
    <message>
        <source>Interface language for this run: en, el or de.</source>
        <translation>Sprache der Oberfläche für diesen Start: en, el oder de.</translation>
    </message>
    <message>
        <source>code</source>
        <translation>Code</translation>
    </message>
    <message>
        <source>Start with the default window layout.</source>
        <translation>Mit der Standard-Fensteranordnung starten.</translation>
    </message>
    <message>
        <source>Images or folders to turn into models.</source>
        <translation>Bilder oder Ordner, aus denen Modelle werden sollen.</translation>
    </message>
</context>
<context>
    <name>Viewport</name>
    <message>
        <source>No model</source>
        <translation>Kein Modell</translation>
    </message>
    <message>
        <source>%1 vertices · %2 faces · size %3 × %4 × %5</source>
        <translation>%1 Eckpunkte · %2 Flächen · Größe %3 × %4 × %5</translation>
    </message>
    <message>
        <source>The 3D view is off on the &apos;%1&apos; platform.</source>
        <translation>Die 3D-Ansicht ist auf der Plattform „%1“ ausgeschaltet.</translation>
    </message>
    <message>
        <source>The 3D view needs OpenGL, which could not be initialised.</source>
        <translation>Die 3D-Ansicht braucht OpenGL, das nicht initialisiert werden konnte.</translation>
    </message>
    <message>
        <source>The 3D view is turned off (ORFEAS_VIEWPORT).</source>
        <translation>Die 3D-Ansicht ist ausgeschaltet (ORFEAS_VIEWPORT).</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::AboutDialog</name>
    <message>
        <source>About ORFEAS Studio</source>
        <translation>Über ORFEAS Studio</translation>
    </message>
    <message>
        <source>available</source>
        <translation>verfügbar</translation>
    </message>
    <message>
        <source>not available</source>
        <translation>nicht verfügbar</translation>
    </message>
    <message>
        <source>&lt;h2&gt;ORFEAS Studio %1&lt;/h2&gt;&lt;p&gt;Turns one image into a textured 3D model: Hunyuan3D-2 on an NVIDIA GPU when its weights are installed, classic silhouette inflation on the CPU otherwise.&lt;/p&gt;</source>
        <translation>&lt;h2&gt;ORFEAS Studio %1&lt;/h2&gt;&lt;p&gt;Macht aus einem Bild ein texturiertes 3D-Modell: mit Hunyuan3D-2 auf einer NVIDIA-GPU, wenn dessen Gewichte installiert sind, sonst mit der klassischen Silhouetten-Aufblähung auf der CPU.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Build:&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;Qt:&lt;/b&gt; %2&lt;br&gt;&lt;b&gt;GPU:&lt;/b&gt; %3&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Build:&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;Qt:&lt;/b&gt; %2&lt;br&gt;&lt;b&gt;GPU:&lt;/b&gt; %3&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Shape backends:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;%1&lt;/ul&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Form-Backends:&lt;/b&gt;&lt;/p&gt;&lt;ul&gt;%1&lt;/ul&gt;</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;Settings:&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;Log:&lt;/b&gt; %2&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Einstellungen:&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;Protokoll:&lt;/b&gt; %2&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::DropZone</name>
    <message>
        <source>Drop images or folders here, click to open files, or paste an image with Ctrl+V</source>
        <translation>Bilder oder Ordner hier ablegen, zum Öffnen von Dateien klicken oder ein Bild mit Strg+V einfügen</translation>
    </message>
    <message>
        <source>Only local files can be opened; skipped: %1</source>
        <translation>Nur lokale Dateien können geöffnet werden; übersprungen: %1</translation>
    </message>
    <message>
        <source>Dropped image</source>
        <translation>Abgelegtes Bild</translation>
    </message>
    <message>
        <source>Drop images or folders here
click to browse · Ctrl+V to paste</source>
        <translation>Bilder oder Ordner hier ablegen
klicken zum Auswählen · Strg+V zum Einfügen</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::ExportBar</name>
    <message>
        <source>Save to:</source>
        <translation>Speichern in:</translation>
    </message>
    <message>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <source>Choose the output folder</source>
        <translation>Ausgabeordner wählen</translation>
    </message>
    <message>
        <source>Open the output folder</source>
        <translation>Ausgabeordner öffnen</translation>
    </message>
    <message>
        <source>Formats:</source>
        <translation>Formate:</translation>
    </message>
    <message>
        <source>glTF binary with the texture inside</source>
        <translation>glTF-Binärdatei mit eingebetteter Textur</translation>
    </message>
    <message>
        <source>OBJ with MTL and a PNG texture</source>
        <translation>OBJ mit MTL und PNG-Textur</translation>
    </message>
    <message>
        <source>STL: geometry only, for printing</source>
        <translation>STL: nur Geometrie, für den Druck</translation>
    </message>
    <message>
        <source>PLY with vertex colours</source>
        <translation>PLY mit Eckpunktfarben</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::GpuPanel</name>
    <message>
        <source>Looking for GPUs…</source>
        <translation>Suche nach GPUs…</translation>
    </message>
    <message>
        <source>Utilisation</source>
        <translation>Auslastung</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Speicher</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>Temperatur</translation>
    </message>
    <message>
        <source>Power</source>
        <translation>Leistung</translation>
    </message>
    <message>
        <source>Utilisation %</source>
        <translation>Auslastung %</translation>
    </message>
    <message>
        <source>Memory %</source>
        <translation>Speicher %</translation>
    </message>
    <message>
        <source>seconds</source>
        <translation>Sekunden</translation>
    </message>
    <message>
        <source>No NVIDIA GPU detected</source>
        <translation>Keine NVIDIA-GPU gefunden</translation>
    </message>
    <message>
        <source>NVML reports no devices.</source>
        <translation>NVML meldet keine Geräte.</translation>
    </message>
    <message>
        <source>GPU %1: %2 (%3)</source>
        <translation>GPU %1: %2 (%3)</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>%1 of %2 (%3 %)</source>
        <translation>%1 von %2 (%3 %)</translation>
    </message>
    <message>
        <source>%1 °C</source>
        <translation>%1 °C</translation>
    </message>
    <message>
        <source>not reported</source>
        <translation>nicht gemeldet</translation>
    </message>
    <message>
        <source>%1 W</source>
        <translation>%1 W</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::ImagePreviewPanel</name>
    <message>
        <source>Input</source>
        <translation>Eingabe</translation>
    </message>
    <message>
        <source>Seen by the shape stage</source>
        <translation>So sieht es die Formstufe</translation>
    </message>
    <message>
        <source>Mask</source>
        <translation>Maske</translation>
    </message>
    <message>
        <source>Preprocessing did not finish for this job.</source>
        <translation>Die Vorverarbeitung wurde für diesen Auftrag nicht abgeschlossen.</translation>
    </message>
    <message>
        <source>The mask comes from the image&apos;s own transparency.</source>
        <translation>Die Maske stammt aus der Transparenz des Bildes.</translation>
    </message>
    <message>
        <source>The mask comes from background removal: check that it covers the subject and nothing else.</source>
        <translation>Die Maske stammt aus der Hintergrundentfernung: Prüfen Sie, dass sie das Motiv abdeckt und sonst nichts.</translation>
    </message>
    <message>
        <source>The input, the image the shape stage sees and the mask appear here when the job ends.</source>
        <translation>Eingabe, das Bild, das die Formstufe sieht, und die Maske erscheinen hier, wenn der Auftrag endet.</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::JobController</name>
    <message>
        <source>Cannot create the output folder %1</source>
        <translation>Der Ausgabeordner %1 kann nicht angelegt werden</translation>
    </message>
    <message>
        <source>The settings are not valid: %1</source>
        <translation>Die Einstellungen sind ungültig: %1</translation>
    </message>
    <message>
        <source>%1: its output already exists</source>
        <translation>%1: die Ausgabe existiert bereits</translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) added.</source>
        <translation>
            <numerusform>%n Auftrag hinzugefügt.</numerusform>
            <numerusform>%n Aufträge hinzugefügt.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) skipped: %1</source>
        <translation>
            <numerusform>%n Datei übersprungen: %1</numerusform>
            <numerusform>%n Dateien übersprungen: %1</numerusform>
        </translation>
    </message>
    <message>
        <source>The clipboard holds no image</source>
        <translation>Die Zwischenablage enthält kein Bild</translation>
    </message>
    <message>
        <source>The image is too large (%1 × %2)</source>
        <translation>Das Bild ist zu groß (%1 × %2)</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::JobListPanel</name>
    <message>
        <source>&amp;Cancel Job</source>
        <translation>Auftrag &amp;abbrechen</translation>
    </message>
    <message>
        <source>&amp;Retry Job</source>
        <translation>Auftrag &amp;wiederholen</translation>
    </message>
    <message>
        <source>Re&amp;move Job</source>
        <translation>Auftrag &amp;entfernen</translation>
    </message>
    <message>
        <source>Show &amp;Output</source>
        <translation>A&amp;usgabe zeigen</translation>
    </message>
    <message>
        <source>Remove &amp;Finished Jobs</source>
        <translation>&amp;Fertige Aufträge entfernen</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::JobModel</name>
    <message>
        <source>Running: %1</source>
        <translation>Läuft: %1</translation>
    </message>
    <message>
        <source>Failed: %1</source>
        <translation>Fehlgeschlagen: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n log line(s) dropped: the engine logged faster than the window could show</source>
        <translation>
            <numerusform>%n Protokollzeile verworfen: Die Engine protokollierte schneller, als das Fenster anzeigen konnte</numerusform>
            <numerusform>%n Protokollzeilen verworfen: Die Engine protokollierte schneller, als das Fenster anzeigen konnte</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>orfeas::ui::LogPanel</name>
    <message>
        <source>Debug and above</source>
        <translation>Debug und höher</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>Info und höher</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>Warnungen und Fehler</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>Nur Fehler</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Leeren</translation>
    </message>
    <message>
        <source>Cannot write the log file %1: %2</source>
        <translation>Die Protokolldatei %1 kann nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::MainWindow</name>
    <message>
        <source>ORFEAS Studio</source>
        <translation>ORFEAS Studio</translation>
    </message>
    <message>
        <source>Replace existing files?</source>
        <translation>Vorhandene Dateien ersetzen?</translation>
    </message>
    <message numerus="yes">
        <source>%n output file(s) already exist, for example:
%1</source>
        <translation>
            <numerusform>%n Ausgabedatei existiert bereits, zum Beispiel:
%1</numerusform>
            <numerusform>%n Ausgabedateien existieren bereits, zum Beispiel:
%1</numerusform>
        </translation>
    </message>
    <message>
        <source>Replace</source>
        <translation>Ersetzen</translation>
    </message>
    <message>
        <source>Skip These Images</source>
        <translation>Diese Bilder überspringen</translation>
    </message>
    <message>
        <source>none (%1)</source>
        <translation>keine (%1)</translation>
    </message>
    <message>
        <source>Stored settings were not usable and were reset: %1</source>
        <translation>Gespeicherte Einstellungen waren unbrauchbar und wurden zurückgesetzt: %1</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>Aufträge</translation>
    </message>
    <message>
        <source>Stages</source>
        <translation>Stufen</translation>
    </message>
    <message>
        <source>GPU</source>
        <translation>GPU</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <source>%1 failed: %2</source>
        <translation>%1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>%1 running · %2 queued · %3 done · %4 failed or cancelled</source>
        <translation>%1 laufen · %2 warten · %3 fertig · %4 fehlgeschlagen oder abgebrochen</translation>
    </message>
    <message>
        <source>Quit ORFEAS Studio?</source>
        <translation>ORFEAS Studio beenden?</translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) are still queued or running. Cancel them and quit?</source>
        <translation>
            <numerusform>%n Auftrag wartet noch oder läuft. Abbrechen und beenden?</numerusform>
            <numerusform>%n Aufträge warten noch oder laufen. Abbrechen und beenden?</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Open Images…</source>
        <translation>&amp;Bilder öffnen…</translation>
    </message>
    <message>
        <source>Open &amp;Folder…</source>
        <translation>&amp;Ordner öffnen…</translation>
    </message>
    <message>
        <source>&amp;Paste Image</source>
        <translation>Bild &amp;einfügen</translation>
    </message>
    <message>
        <source>Open Output F&amp;older</source>
        <translation>&amp;Ausgabeordner öffnen</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>Be&amp;enden</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>Ein&amp;stellungen…</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>&amp;Modelle…</translation>
    </message>
    <message>
        <source>Cancel &amp;All Jobs</source>
        <translation>A&amp;lle Aufträge abbrechen</translation>
    </message>
    <message>
        <source>&amp;Frame Model</source>
        <translation>Modell ein&amp;passen</translation>
    </message>
    <message>
        <source>&amp;Wireframe</source>
        <translation>&amp;Drahtgitter</translation>
    </message>
    <message>
        <source>&amp;Normals</source>
        <translation>&amp;Normalen</translation>
    </message>
    <message>
        <source>&amp;Ground Grid</source>
        <translation>&amp;Bodenraster</translation>
    </message>
    <message>
        <source>&amp;Textured</source>
        <translation>Mit &amp;Textur</translation>
    </message>
    <message>
        <source>&amp;Clay</source>
        <translation>&amp;Ton</translation>
    </message>
    <message>
        <source>&amp;Vertex Colours</source>
        <translation>&amp;Eckpunktfarben</translation>
    </message>
    <message>
        <source>&amp;About ORFEAS Studio</source>
        <translation>Über &amp;ORFEAS Studio</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>&amp;Zuletzt geöffnet</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>Be&amp;arbeiten</translation>
    </message>
    <message>
        <source>&amp;Jobs</source>
        <translation>A&amp;ufträge</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>A&amp;nsicht</translation>
    </message>
    <message>
        <source>&amp;Shading</source>
        <translation>&amp;Schattierung</translation>
    </message>
    <message>
        <source>&amp;Panels</source>
        <translation>Be&amp;reiche</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>&amp;Werkzeuge</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>Über &amp;Qt</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Hauptleiste</translation>
    </message>
    <message>
        <source>No recent files</source>
        <translation>Keine zuletzt geöffneten Dateien</translation>
    </message>
    <message>
        <source>&amp;Clear List</source>
        <translation>Liste &amp;leeren</translation>
    </message>
    <message>
        <source>Open Images</source>
        <translation>Bilder öffnen</translation>
    </message>
    <message>
        <source>Open a Folder of Images</source>
        <translation>Ordner mit Bildern öffnen</translation>
    </message>
    <message>
        <source>Pasted image</source>
        <translation>Eingefügtes Bild</translation>
    </message>
    <message>
        <source>not checked yet</source>
        <translation>noch nicht geprüft</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::ModelManagerDialog</name>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Hunyuan3D-2 model folders found on this computer. Without a usable model (or without an NVIDIA GPU) the classic backend is used.</source>
        <translation>Auf diesem Computer gefundene Hunyuan3D-2-Modellordner. Ohne nutzbares Modell (oder ohne NVIDIA-GPU) wird das klassische Backend verwendet.</translation>
    </message>
    <message>
        <source>Variant</source>
        <translation>Variante</translation>
    </message>
    <message>
        <source>Repository</source>
        <translation>Repository</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>Gewichte</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Parameters</source>
        <translation>Parameter</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <source>Use This Model</source>
        <translation>Dieses Modell verwenden</translation>
    </message>
    <message>
        <source>Add Folder…</source>
        <translation>Ordner hinzufügen…</translation>
    </message>
    <message>
        <source>Rescan</source>
        <translation>Neu suchen</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Suche läuft…</translation>
    </message>
    <message>
        <source>Add a folder with models</source>
        <translation>Ordner mit Modellen hinzufügen</translation>
    </message>
    <message>
        <source>%1 M</source>
        <translation>%1 Mio.</translation>
    </message>
    <message>
        <source> (distilled)</source>
        <translation> (destilliert)</translation>
    </message>
    <message>
        <source>usable</source>
        <translation>nutzbar</translation>
    </message>
    <message>
        <source>No model folders found. Searched: %1</source>
        <translation>Keine Modellordner gefunden. Durchsucht: %1</translation>
    </message>
    <message numerus="yes">
        <source>%n usable model folder(s).</source>
        <translation>
            <numerusform>%n nutzbarer Modellordner.</numerusform>
            <numerusform>%n nutzbare Modellordner.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>orfeas::ui::SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Preset:</source>
        <translation>Voreinstellung:</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>Benutzerdefiniert</translation>
    </message>
    <message>
        <source>Fast, Balanced and Quality set steps, resolutions, the face budget and the texture size</source>
        <translation>Schnell, Ausgewogen und Qualität legen Schritte, Auflösungen, das Flächenbudget und die Texturgröße fest</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>A new language applies the next time ORFEAS Studio starts.</source>
        <translation>Eine neue Sprache gilt ab dem nächsten Start von ORFEAS Studio.</translation>
    </message>
    <message>
        <source>Jobs that run at the same time. CPU stages of one job overlap GPU stages of another.</source>
        <translation>Aufträge, die gleichzeitig laufen. CPU-Stufen eines Auftrags überlappen GPU-Stufen eines anderen.</translation>
    </message>
    <message>
        <source>Concurrent jobs:</source>
        <translation>Gleichzeitige Aufträge:</translation>
    </message>
    <message>
        <source>Show each job as it starts</source>
        <translation>Jeden Auftrag beim Start anzeigen</translation>
    </message>
    <message>
        <source>auto, cpu, cuda or cuda:N</source>
        <translation>auto, cpu, cuda oder cuda:N</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>Gerät:</translation>
    </message>
    <message>
        <source>General</source>
        <translation>Allgemein</translation>
    </message>
    <message>
        <source>Automatic (neural when a model and a GPU are present)</source>
        <translation>Automatisch (neuronal, wenn Modell und GPU vorhanden sind)</translation>
    </message>
    <message>
        <source>Classic silhouette inflation (CPU)</source>
        <translation>Klassische Silhouetten-Aufblähung (CPU)</translation>
    </message>
    <message>
        <source>Hunyuan3D-2 (neural)</source>
        <translation>Hunyuan3D-2 (neuronal)</translation>
    </message>
    <message>
        <source>Backend:</source>
        <translation>Backend:</translation>
    </message>
    <message>
        <source>found automatically</source>
        <translation>wird automatisch gefunden</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Models…</source>
        <translation>Modelle…</translation>
    </message>
    <message>
        <source>Model folder:</source>
        <translation>Modellordner:</translation>
    </message>
    <message>
        <source>Classic</source>
        <translation>Klassisch</translation>
    </message>
    <message>
        <source>Grid resolution:</source>
        <translation>Rasterauflösung:</translation>
    </message>
    <message>
        <source>Depth of the inflated body; 1 gives round cross-sections</source>
        <translation>Tiefe des aufgeblähten Körpers; 1 ergibt runde Querschnitte</translation>
    </message>
    <message>
        <source>Thickness:</source>
        <translation>Dicke:</translation>
    </message>
    <message>
        <source>Neural</source>
        <translation>Neuronal</translation>
    </message>
    <message>
        <source>Diffusion steps:</source>
        <translation>Diffusionsschritte:</translation>
    </message>
    <message>
        <source>Guidance scale:</source>
        <translation>Guidance-Skala:</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Seed:</translation>
    </message>
    <message>
        <source>Octree resolution:</source>
        <translation>Octree-Auflösung:</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>automatisch</translation>
    </message>
    <message>
        <source>Points per decoding chunk; automatic sizes it from free GPU memory</source>
        <translation>Punkte pro Dekodierblock; „automatisch“ bemisst ihn nach dem freien GPU-Speicher</translation>
    </message>
    <message>
        <source>Chunk size:</source>
        <translation>Blockgröße:</translation>
    </message>
    <message>
        <source>Hierarchical (fast)</source>
        <translation>Hierarchisch (schnell)</translation>
    </message>
    <message>
        <source>Dense</source>
        <translation>Dicht</translation>
    </message>
    <message>
        <source>Decoding:</source>
        <translation>Dekodierung:</translation>
    </message>
    <message>
        <source>Precision:</source>
        <translation>Genauigkeit:</translation>
    </message>
    <message>
        <source>Save GPU memory (slower)</source>
        <translation>GPU-Speicher sparen (langsamer)</translation>
    </message>
    <message>
        <source>Shape</source>
        <translation>Form</translation>
    </message>
    <message>
        <source>Preprocessed size:</source>
        <translation>Größe nach der Vorverarbeitung:</translation>
    </message>
    <message>
        <source>Empty border around the subject, as a share of the image</source>
        <translation>Leerer Rand um das Motiv, als Anteil des Bildes</translation>
    </message>
    <message>
        <source>Border ratio:</source>
        <translation>Randanteil:</translation>
    </message>
    <message>
        <source>Colour distance that still counts as background when an image has no transparency</source>
        <translation>Farbabstand, der noch als Hintergrund gilt, wenn ein Bild keine Transparenz hat</translation>
    </message>
    <message>
        <source>Background tolerance:</source>
        <translation>Hintergrundtoleranz:</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <source>no reduction</source>
        <translation>keine Reduktion</translation>
    </message>
    <message>
        <source>Face budget:</source>
        <translation>Flächenbudget:</translation>
    </message>
    <message>
        <source>Loose parts smaller than this share of the largest part are removed</source>
        <translation>Lose Teile, die kleiner als dieser Anteil des größten Teils sind, werden entfernt</translation>
    </message>
    <message>
        <source>Smallest part kept:</source>
        <translation>Kleinstes behaltenes Teil:</translation>
    </message>
    <message>
        <source>Texture size:</source>
        <translation>Texturgröße:</translation>
    </message>
    <message>
        <source>GLB</source>
        <translation>GLB</translation>
    </message>
    <message>
        <source>OBJ + MTL + PNG</source>
        <translation>OBJ + MTL + PNG</translation>
    </message>
    <message>
        <source>STL</source>
        <translation>STL</translation>
    </message>
    <message>
        <source>PLY</source>
        <translation>PLY</translation>
    </message>
    <message>
        <source>Export formats:</source>
        <translation>Exportformate:</translation>
    </message>
    <message>
        <source>Mesh and export</source>
        <translation>Netz und Export</translation>
    </message>
    <message>
        <source>Cannot use these settings: %1</source>
        <translation>Diese Einstellungen sind nicht verwendbar: %1</translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation>Modellordner wählen</translation>
    </message>
</context>
<context>
    <name>orfeas::ui::StagePanel</name>
    <message>
        <source>Stage</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Left</source>
        <translation>Rest</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Detail</translation>
    </message>
    <message>
        <source>No job selected</source>
        <translation>Kein Auftrag ausgewählt</translation>
    </message>
    <message>
        <source>Waiting for a free worker…</source>
        <translation>Warte auf einen freien Platz…</translation>
    </message>
    <message>
        <source>Elapsed %1</source>
        <translation>Verstrichen: %1</translation>
    </message>
    <message>
        <source>Share of total</source>
        <translation>Anteil an der Gesamtzeit</translation>
    </message>
    <message>
        <source>cancelled here</source>
        <translation>hier abgebrochen</translation>
    </message>
    <message>
        <source>failed here</source>
        <translation>hier fehlgeschlagen</translation>
    </message>
    <message>
        <source>Done in %1 with the %2 backend: %3 vertices, %4 faces.</source>
        <translation>Fertig in %1 mit dem Backend %2: %3 Eckpunkte, %4 Flächen.</translation>
    </message>
    <message>
        <source>Cancelled after %1.</source>
        <translation>Nach %1 abgebrochen.</translation>
    </message>
    <message>
        <source>Failed after %1: %2</source>
        <translation>Nach %1 fehlgeschlagen: %2</translation>
    </message>
    <message>
        <source>Slowest stage: %1 (%2 % of the total).</source>
        <translation>Langsamste Stufe: %1 (%2 % der Gesamtzeit).</translation>
    </message>
    <message>
        <source>image %1, in parallel</source>
        <translation>Bild %1, parallel</translation>
    </message>
</context>
</TS>

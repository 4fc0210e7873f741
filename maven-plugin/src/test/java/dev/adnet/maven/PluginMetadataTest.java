package dev.adnet.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** What Maven and Eclipse read from the plugin jar: the goals as the annotations declare them, and the m2e mapping. */
class PluginMetadataTest {
    static Document xml(String resource) throws Exception {
        try (InputStream in = PluginMetadataTest.class.getClassLoader().getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
        }
    }

    static List<String> texts(Element parent, String tag) {
        List<String> out = new ArrayList<>();
        NodeList nodes = parent.getElementsByTagName(tag);
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add(nodes.item(i).getTextContent().trim());
        }
        return out;
    }

    @Test
    void theDescriptorBindsBothGoalsToTheirPhases() throws Exception {
        Element plugin = xml("META-INF/maven/plugin.xml").getDocumentElement();
        assertThat(texts(plugin, "goalPrefix")).containsExactly("adnet");
        NodeList mojos = plugin.getElementsByTagName("mojo");
        List<String> goals = new ArrayList<>();
        for (int i = 0; i < mojos.getLength(); i++) {
            Element mojo = (Element) mojos.item(i);
            String goal = texts(mojo, "goal").get(0);
            goals.add(goal);
            assertThat(texts(mojo, "phase")).containsExactly(goal.equals("generate") ? "generate-sources" : "generate-test-sources");
            assertThat(texts(mojo, "threadSafe")).containsExactly("true");
            Element configuration = (Element) mojo.getElementsByTagName("configuration").item(0);
            assertThat(texts(configuration, "skip")).containsExactly("${adnet.skip}");
            assertThat(texts(configuration, "packageName")).containsExactly("${adnet.packageName}");
        }
        assertThat(goals).containsExactlyInAnyOrder("generate", "generate-test");
    }

    @Test
    void eclipseRunsBothGoalsOnIncrementalBuilds() throws Exception {
        Element mapping = xml("META-INF/m2e/lifecycle-mapping-metadata.xml").getDocumentElement();
        assertThat(texts(mapping, "goal")).containsExactly("generate", "generate-test");
        assertThat(texts(mapping, "runOnIncremental")).containsExactly("true");
        assertThat(texts(mapping, "runOnConfiguration")).containsExactly("true");
    }
}

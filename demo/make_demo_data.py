#!/usr/bin/env python3
"""Generate the small English demo data set for the passage-retrieval toolkit.

All text in this file was written from scratch for this project (many places,
towns and institutions are invented) and is released under CC0 1.0.

Running this script (deterministically) writes, next to itself:
  train.json, validation.json  -- SQuAD 1.1 format, split by article
  corpus.jsonl                 -- every paragraph of both splits + distractors
  README.md                    -- licence and counts

Usage: python make_demo_data.py
"""

import json
import os

# Each article: (title, [(context, [(question, answer_text), ...]), ...])
ARTICLES = []

# Extra paragraphs with no questions: (title, text)
DISTRACTORS = []

# ---------------------------------------------------------------------------
# Articles 1-10
# ---------------------------------------------------------------------------
ARTICLES += [
    (
        "Lake Veltmar",
        [
            (
                "Lake Veltmar is a long, narrow freshwater lake lying in a glacial trough between two ranges of low granite hills. It stretches for roughly 34 kilometres from north to south but is seldom more than three kilometres wide, which gives it the appearance of a broad river when seen from the surrounding ridges. The deepest sounding ever recorded, taken by a survey team in 1962, measured 211 metres near the village of Ostrel, making it one of the deepest lakes in the region. The lake is fed mainly by the Tarn Brook, which enters at the northern end after descending a series of waterfalls, and it drains southward through the Veltmar Narrows into the lowland river system. Because the water is cold and poor in nutrients, it is unusually clear; on calm summer days divers report being able to see the bottom at depths of more than twelve metres. Several small islands break the surface in the middle section of the lake. The largest of them, known locally as Heron Island, holds the ruins of a stone chapel that was abandoned in the seventeenth century after a series of floods cut it off from the shore for most of the year. Today the lake supports a modest fishing industry based on char and whitefish, although catches have been limited by quota since the 1990s. Tourism has become more important than fishing, and a network of walking trails now circles almost the entire shoreline. The most popular route, the Ridge Path, climbs to a viewpoint called the Hawk Seat, from which walkers can see both ends of the lake on a clear day. In winter the northern bay freezes regularly, and the ice is sometimes thick enough to allow skating, though the southern basin almost never freezes completely.",
                [
                    ("How deep was the deepest measurement ever taken in Lake Veltmar?", "211 metres"),
                    ("Which stream supplies most of the water flowing into Lake Veltmar?", "the Tarn Brook"),
                    ("Which fish species does the local fishery depend on?", "char and whitefish"),
                    (
                        "What is the name of the lookout reached by the most popular walking trail around the lake?",
                        "the Hawk Seat",
                    ),
                ],
            ),
            (
                "The first settlers on the shores of Lake Veltmar were herders who moved their animals to high pastures during the summer and returned to the valley floor in autumn. Archaeologists working near Ostrel have found the remains of timber houses built on wooden piles driven into the lake bed, a technique that protected homes from both floods and wolves. Radiocarbon dating of the piles suggests that the oldest of these houses was built about 2,800 years ago. Later communities traded dried fish and wool with merchants from the lowlands, carrying the goods by boat to the southern end of the lake and then overland by cart.",
                [
                    ("What kind of people were the earliest inhabitants of the Veltmar shoreline?", "herders"),
                    ("What dangers did building homes on stilts in the water guard against?", "floods and wolves"),
                    ("Roughly how old is the earliest pile dwelling found near the lake?", "about 2,800 years"),
                    ("What products did later lakeside villages sell to lowland traders?", "dried fish and wool"),
                ],
            ),
            (
                "In 1911 a small hydroelectric station was built at the Veltmar Narrows, where the lake empties into its outlet river. The station used a low concrete weir to raise the water level by about a metre and a half, which flooded several meadows along the southern shore and led to a long dispute with local farmers. The plant supplied electricity to the market town of Brisk and powered the first electric street lamps in the district. It was modernised in 1978 and still operates today, although it now produces only a small share of the region's power.",
                [
                    ("In what year was the power plant at the lake's outlet constructed?", "1911"),
                    ("Which town received electricity from the generating station?", "Brisk"),
                    ("By how much did the dam at the outlet lift the surface of the lake?", "about a metre and a half"),
                ],
            ),
        ],
    ),
    (
        "Harrowgate Mills",
        [
            (
                "Harrowgate Mills is a small town that grew up around a cluster of water-powered cotton mills on the banks of the River Lenn. Before the mills were built, the site held only a ford, an inn and a handful of cottages belonging to the Harrow estate. In 1784 a cloth merchant named Josiah Pell leased land from the estate and built the first mill, a five-storey brick building driven by a wheel nearly ten metres across. Within thirty years there were seven mills along a two-kilometre stretch of the river, and the population had risen from fewer than two hundred people to over four thousand.",
                [
                    ("Who put up the first factory in Harrowgate Mills?", "Josiah Pell"),
                    ("When was the town's first mill built?", "1784"),
                    ("How many mills lined the river three decades after the first one opened?", "seven"),
                    ("Along which river did the town develop?", "the River Lenn"),
                ],
            ),
            (
                "Working conditions in the early mills were harsh. Children as young as eight were employed to tie broken threads and sweep cotton waste from beneath the machines, and a normal shift lasted twelve hours. In 1833 the mill owners opened a school in the upper room of the Lenn Street chapel, where child workers were expected to attend lessons for two hours each afternoon. The school was later moved to a purpose-built schoolhouse, which still stands and now houses the town library.",
                [
                    (
                        "What jobs did young children do in the factories?",
                        "tie broken threads and sweep cotton waste from beneath the machines",
                    ),
                    ("How many hours did a standard working day in the mills last?", "twelve hours"),
                    ("What occupies the old schoolhouse building today?", "the town library"),
                ],
            ),
            (
                "The decline of the cotton trade in the twentieth century hit Harrowgate Mills hard. The last working mill, Lower Pell Mill, closed in 1967, and for several years many of the buildings stood empty. A preservation trust formed by residents bought Lower Pell Mill in 1982 and restored its waterwheel, which now turns again on open days. Other mills have been converted into flats, offices and a craft brewery, and the town has become a popular stop for visitors exploring the river valley.",
                [
                    ("Which was the final mill in the town to stop production?", "Lower Pell Mill"),
                    ("In which year did cotton manufacturing in the town come to an end?", "1967"),
                    (
                        "What group purchased the last mill and repaired its wheel?",
                        "preservation trust formed by residents",
                    ),
                ],
            ),
        ],
    ),
    (
        "Photosynthesis",
        [
            (
                "Photosynthesis is the process by which green plants, algae and some bacteria capture the energy of sunlight and store it in chemical form. Inside plant cells the process takes place in chloroplasts, small structures that contain the green pigment chlorophyll. Chlorophyll absorbs red and blue light most strongly and reflects green light, which is why leaves look green to our eyes. Using the absorbed energy, the plant combines carbon dioxide taken from the air with water drawn up from the soil to make sugars, releasing oxygen as a by-product.",
                [
                    (
                        "In which parts of a plant cell does the conversion of light into chemical energy occur?",
                        "chloroplasts",
                    ),
                    ("Which wavelengths does the green pigment absorb most efficiently?", "red and blue light"),
                    ("What gas do plants release when they make sugar from sunlight?", "oxygen"),
                ],
            ),
            (
                "Biologists usually divide photosynthesis into two linked stages. In the light-dependent reactions, energy from sunlight is used to split water molecules and to produce two energy-carrying compounds, ATP and NADPH. In the second stage, often called the Calvin cycle, these compounds supply the energy needed to fix carbon dioxide into three-carbon sugars. The Calvin cycle does not need light directly, but it stops soon after dark because it depends on the products of the first stage. The enzyme that captures carbon dioxide in this cycle, known as RuBisCO, is thought to be the most abundant protein on Earth.",
                [
                    ("Which two energy carriers are made during the light-driven reactions?", "ATP and NADPH"),
                    ("By what name is the carbon-fixing second phase usually known?", "the Calvin cycle"),
                    ("What enzyme is considered the most common protein in the world?", "RuBisCO"),
                ],
            ),
        ],
    ),
    (
        "Honeybee",
        [
            (
                "A honeybee colony is made up of three kinds of adult bee. There is normally a single queen, whose main role is to lay eggs, sometimes more than a thousand in a day during the height of summer. Most of the colony consists of female worker bees, which clean the hive, feed the larvae, build wax comb, guard the entrance and collect food. Male bees, called drones, do not gather nectar or defend the nest; their only task is to mate with young queens from other colonies.",
                [
                    ("How many eggs might a queen produce daily in midsummer?", "more than a thousand"),
                    ("What name is given to male bees?", "drones"),
                    (
                        "What is the single job of male bees in a colony?",
                        "to mate with young queens from other colonies",
                    ),
                ],
            ),
            (
                "Worker bees share information about food sources through a behaviour known as the waggle dance. A forager returning to the hive runs in a figure-of-eight pattern on the vertical comb, shaking her body during the straight central part of the run. The angle of that straight run relative to vertical tells other bees the direction of the flowers relative to the sun, while the length of time she spends waggling indicates how far away they are. Bees that follow the dance can then fly directly to a patch of flowers several kilometres from the hive.",
                [
                    ("What behaviour do bees use to tell nestmates where to find flowers?", "the waggle dance"),
                    ("What information is conveyed by how long the bee shakes her body?", "how far away they are"),
                    ("What path does the returning forager trace on the comb?", "a figure-of-eight pattern"),
                ],
            ),
        ],
    ),
    (
        "Sourdough Bread",
        [
            (
                "Sourdough is bread leavened by a culture of wild yeasts and lactic acid bacteria rather than by commercial baker's yeast. The culture, called a starter, is made by mixing flour and water and leaving the mixture at room temperature for several days. Microorganisms naturally present in the flour and the surroundings begin to multiply, and after about a week of regular feeding with fresh flour and water the starter becomes bubbly and smells pleasantly sour. A healthy starter can be kept alive for decades, and some bakeries claim to use cultures that are more than a hundred years old.",
                [
                    (
                        "What makes sourdough rise in place of packaged yeast?",
                        "a culture of wild yeasts and lactic acid bacteria",
                    ),
                    ("What is the fermenting mixture of flour and water called?", "a starter"),
                    ("How long does a new culture usually need before it becomes active?", "about a week"),
                ],
            ),
            (
                "The sour flavour of the bread comes mainly from lactic and acetic acids produced by the bacteria in the starter. Bakers can shift the balance between these acids by changing how they manage the dough. A wetter starter kept at warm temperatures tends to favour lactic acid, which gives a mild, yoghurt-like tang, while a stiffer starter kept cool produces more acetic acid and a sharper, vinegary taste. The acids also slow the growth of mould, so sourdough loaves usually stay fresh longer than bread made with baker's yeast.",
                [
                    ("Which compounds are responsible for the tangy taste of sourdough?", "lactic and acetic acids"),
                    ("What kind of culture gives bread a more vinegar-like sharpness?", "a stiffer starter kept cool"),
                    ("What do the acids hold back, helping the loaves keep longer?", "the growth of mould"),
                ],
            ),
            (
                "A typical sourdough loaf takes far longer to make than ordinary bread. After mixing, the dough is left for a bulk fermentation of four to six hours, during which the baker folds it several times to build strength. It is then shaped, placed in a floured basket and often rested overnight in a refrigerator, a step called retarding that deepens the flavour. The loaf is baked in a very hot oven, ideally with steam during the first fifteen minutes so that the crust stays soft long enough for the bread to expand fully.",
                [
                    ("How long does the first rise of the dough normally take?", "four to six hours"),
                    ("What do bakers call the practice of chilling shaped dough overnight?", "retarding"),
                    (
                        "Why is steam added during the first part of baking?",
                        "so that the crust stays soft long enough for the bread to expand fully",
                    ),
                ],
            ),
        ],
    ),
    (
        "Volleyball",
        [
            (
                "Volleyball is played by two teams of six players separated by a high net. The aim is to send the ball over the net so that it touches the floor on the opponents' side, while preventing the same thing from happening on your own side. Each team may touch the ball up to three times before returning it, and no player may touch it twice in a row, except after a block. Points are scored on every rally, and a set is won by the first team to reach 25 points with a lead of at least two.",
                [
                    ("How many people play on each volleyball team?", "six"),
                    ("What is the most contacts a side may make before the ball must cross the net?", "three"),
                    ("What score must a team reach to win a set?", "25 points"),
                ],
            ),
            (
                "The sport was invented in 1895 by William G. Morgan, a physical education director in Massachusetts, who wanted a game that was less physically demanding than basketball for older members of his gymnasium. He originally called it mintonette. The name volleyball was suggested after an observer remarked that the players seemed to be volleying the ball back and forth. Beach volleyball, played by teams of two on sand, developed later on the coasts of California and became an Olympic sport in 1996.",
                [
                    ("Who devised the game of volleyball?", "William G. Morgan"),
                    ("What did the inventor first name his new game?", "mintonette"),
                    ("When was the sand version of the sport added to the Olympic programme?", "1996"),
                ],
            ),
        ],
    ),
    (
        "Piano",
        [
            (
                "The piano is a keyboard instrument in which pressing a key causes a felt-covered hammer to strike one or more tuned steel strings. Unlike the earlier harpsichord, which plucks its strings and produces roughly the same volume however the keys are pressed, the piano allows the player to play softly or loudly depending on how hard the keys are struck. This ability gave the instrument its original Italian name, pianoforte, meaning soft-loud. A standard modern piano has 88 keys, covering just over seven octaves.",
                [
                    ("What part of the mechanism hits the strings when a key goes down?", "a felt-covered hammer"),
                    ("What is the meaning of the instrument's full Italian name?", "soft-loud"),
                    ("How many keys does a normal modern piano have?", "88"),
                ],
            ),
            (
                "Most pianos have two or three pedals. The right-hand pedal, called the sustain or damper pedal, lifts all the dampers away from the strings so that notes continue to ring after the keys are released. The left-hand pedal softens the sound, on a grand piano by shifting the whole keyboard slightly so that the hammers strike fewer strings. When a middle pedal is present, it often sustains only the notes that were being held down at the moment the pedal was pressed, a feature known as sostenuto.",
                [
                    (
                        "What does pressing the right pedal do to the dampers?",
                        "lifts all the dampers away from the strings",
                    ),
                    (
                        "How does the left pedal make a grand piano quieter?",
                        "shifting the whole keyboard slightly so that the hammers strike fewer strings",
                    ),
                    ("What is the name of the feature that holds only selected notes?", "sostenuto"),
                ],
            ),
        ],
    ),
    (
        "Plate Tectonics",
        [
            (
                "According to the theory of plate tectonics, the outer shell of the Earth is broken into a number of large, rigid plates that move slowly over a hotter, softer layer beneath them. The plates travel at speeds of a few centimetres per year, about as fast as fingernails grow. Where two plates pull apart, molten rock rises to fill the gap and forms new crust, as happens along mid-ocean ridges. Where plates collide, one may sink beneath the other in a process called subduction, producing deep ocean trenches and chains of volcanoes.",
                [
                    ("At what rate do the Earth's plates usually move?", "a few centimetres per year"),
                    ("Where does fresh crust form as plates spread apart?", "mid-ocean ridges"),
                    ("What term describes one plate diving under another?", "subduction"),
                ],
            ),
            (
                "The idea that continents move was proposed in the early twentieth century by the German scientist Alfred Wegener, who noticed that the coastlines of South America and Africa fit together like pieces of a puzzle and that similar fossils were found on both sides of the Atlantic. Wegener could not explain what force moved the continents, and many geologists rejected his idea of continental drift. It was only in the 1960s, after studies of magnetic stripes on the sea floor showed that the ocean crust was spreading, that the theory won general acceptance.",
                [
                    ("Which scientist first suggested that the continents wander?", "Alfred Wegener"),
                    ("The shapes of which two landmasses appeared to fit together?", "South America and Africa"),
                    (
                        "What ocean-floor evidence finally persuaded geologists in the 1960s?",
                        "magnetic stripes on the sea floor",
                    ),
                ],
            ),
        ],
    ),
    (
        "Brindleford Canal",
        [
            (
                "The Brindleford Canal is a narrow canal that runs for 46 kilometres between the inland town of Brindleford and the tidal port of Saltmere. It was completed in 1797 to carry coal from the Brindleford pits to ships waiting at the coast, replacing a slow and expensive journey by packhorse. The canal climbs through twenty-two locks, eleven of them grouped in a steep flight at Coller Hill, where boats could take more than three hours to pass.",
                [
                    ("Which seaport lies at the opposite end of the waterway from Brindleford?", "Saltmere"),
                    ("What goods was the canal originally built to move?", "coal"),
                    ("Where is the steep series of eleven locks?", "Coller Hill"),
                    ("How many locks are there in total on the route?", "twenty-two"),
                ],
            ),
            (
                "Commercial traffic declined after a railway opened along the same valley in 1851, and by the 1930s the canal carried almost no cargo. Parts of the channel silted up and two of the Coller Hill locks collapsed. A volunteer society began clearing the waterway in 1971, and after nearly thirty years of work the full length was reopened to boats in 2000. Today the towpath is part of a long-distance cycling route, and narrowboats can be hired from a boatyard at Saltmere.",
                [
                    ("What new form of transport took the canal's trade away in 1851?", "a railway"),
                    ("In what year could boats once again travel the whole canal?", "2000"),
                    ("What is the path beside the canal now used as?", "part of a long-distance cycling route"),
                ],
            ),
        ],
    ),
    (
        "Octopus",
        [
            (
                "Octopuses are soft-bodied marine animals with eight arms and no internal or external skeleton, which allows them to squeeze through any gap larger than their beak. They have three hearts: two pump blood through the gills, while the third circulates it around the rest of the body. Their blood contains a copper-based protein called haemocyanin rather than the iron-based haemoglobin found in humans, and as a result it is blue in colour.",
                [
                    ("How many hearts does an octopus possess?", "three"),
                    ("What copper-containing molecule is found in octopus blood?", "haemocyanin"),
                    ("What colour is the blood of an octopus?", "blue"),
                ],
            ),
            (
                "Octopuses are regarded as among the most intelligent invertebrates. In laboratory studies they have learned to unscrew jar lids to reach food, to find their way through simple mazes and to recognise individual human keepers. About two thirds of their nerve cells are located in the arms rather than the central brain, so each arm can taste, touch and react with a degree of independence. Most species live only a year or two, and females usually die shortly after their eggs hatch.",
                [
                    ("What fraction of an octopus's neurons sit in its limbs rather than its brain?", "two thirds"),
                    ("What have captive octopuses learned to open in order to get food?", "jar lids"),
                    ("How long do most kinds of octopus live?", "a year or two"),
                ],
            ),
        ],
    ),
]

# ---------------------------------------------------------------------------
# Articles 11-20
# ---------------------------------------------------------------------------
ARTICLES += [
    (
        "Compiler",
        [
            (
                "A compiler is a program that translates source code written in one language, usually a high-level programming language, into another language, typically machine code that a processor can execute directly. Most compilers are organised as a pipeline of stages. The first stage, lexical analysis, reads the raw characters of the source file and groups them into tokens such as keywords, identifiers, numbers and punctuation marks. The parser then takes this stream of tokens and checks that it follows the grammar of the language, building a tree-shaped structure called an abstract syntax tree that records how the pieces of the program fit together. Next comes semantic analysis, in which the compiler checks rules that the grammar alone cannot express, for example that every variable has been declared before it is used and that values of incompatible types are not combined. Many compilers then translate the tree into an intermediate representation, a simpler language that is independent of both the source language and the target machine. Keeping this middle layer separate is a great practical advantage: a single optimiser can serve many languages, and supporting a new processor only requires writing a new back end. The optimiser performs transformations such as removing code that can never run, moving calculations out of loops when their results do not change and replacing slow operations with faster equivalents. Finally, the code generator chooses actual machine instructions, decides which values should live in the processor's small set of registers and which must be stored in memory, and writes out the final program. A related tool, the interpreter, skips the production of a separate executable and instead runs the program directly, which makes it easier to experiment but usually slower at run time.",
                [
                    ("Which phase of translation breaks the source text into tokens?", "lexical analysis"),
                    ("What data structure does the parser build from the token stream?", "an abstract syntax tree"),
                    (
                        "What is the machine-independent middle language inside a compiler called?",
                        "an intermediate representation",
                    ),
                    (
                        "What must be written to make a compiler target an additional kind of processor?",
                        "a new back end",
                    ),
                    (
                        "Which related program executes code without first producing a standalone executable?",
                        "the interpreter",
                    ),
                ],
            ),
            (
                "The first compiler is often credited to Grace Hopper, whose A-0 system of 1952 converted mathematical instructions into machine code for the UNIVAC I computer. Five years later, a team at IBM led by John Backus released the first FORTRAN compiler, which produced code so efficient that many programmers who had been writing by hand in assembly language were persuaded to switch. Compiler construction later became a standard part of computer science education, and the techniques developed for it are now used in tools as different as database query engines and web browsers.",
                [
                    ("Who is commonly said to have built the earliest compiler?", "Grace Hopper"),
                    ("For which machine was the A-0 system designed?", "the UNIVAC I"),
                    ("Who headed the group that produced the first FORTRAN compiler?", "John Backus"),
                ],
            ),
        ],
    ),
    (
        "Tea",
        [
            (
                "Tea is made by pouring hot water over the cured leaves of Camellia sinensis, an evergreen shrub native to the borderlands of southern China and northern Myanmar. Although hundreds of varieties are sold, nearly all of them come from this single species; the differences between them arise mostly from how the leaves are processed after picking. Herbal infusions made from other plants, such as chamomile or peppermint, are often called tea in everyday speech, but strictly speaking they are not tea at all.",
                [
                    ("From which plant species does genuine tea come?", "Camellia sinensis"),
                    (
                        "In what region did the tea shrub originate?",
                        "the borderlands of southern China and northern Myanmar",
                    ),
                    (
                        "What is mainly responsible for the differences among kinds of tea?",
                        "how the leaves are processed after picking",
                    ),
                ],
            ),
            (
                "The main styles of tea differ in the degree of oxidation the leaves undergo. For green tea, the leaves are heated soon after picking, by steaming or pan-firing, which stops the enzymes that would otherwise darken them. Black tea is made by rolling and bruising the leaves and allowing them to oxidise fully before drying, producing a darker colour and a stronger, maltier flavour. Oolong falls between the two, being only partly oxidised, while white tea is made from young buds that are simply withered and dried with very little handling.",
                [
                    ("What chemical process chiefly separates the major styles of tea?", "oxidation"),
                    (
                        "How are leaves prevented from darkening when making green tea?",
                        "heated soon after picking, by steaming or pan-firing",
                    ),
                    ("Which type sits halfway between green and black tea?", "Oolong"),
                ],
            ),
            (
                "Tea reached Europe in the early seventeenth century through Dutch and Portuguese traders, and at first it was an expensive luxury. In Britain it became a national habit during the eighteenth century, helped by falling import duties. The custom of afternoon tea, a light meal of tea, sandwiches and cakes served between lunch and dinner, is usually traced to the 1840s. Today the largest producers of tea are China and India, while Turkey has one of the highest rates of tea drinking per person in the world.",
                [
                    ("Who first carried tea to European markets?", "Dutch and Portuguese traders"),
                    (
                        "To which decade is the tradition of a light late-afternoon meal with tea usually dated?",
                        "the 1840s",
                    ),
                    ("Which countries grow the largest amounts of tea today?", "China and India"),
                    ("Which nation drinks among the most tea per head?", "Turkey"),
                ],
            ),
        ],
    ),
    (
        "Marathon",
        [
            (
                "The marathon is a long-distance running race over a distance of 42.195 kilometres. The event was introduced at the first modern Olympic Games in Athens in 1896, inspired by the legend of a Greek messenger who ran from the battlefield of Marathon to Athens to announce a victory and then collapsed. The unusual official distance was fixed later, after the 1908 London Olympics, where the course was arranged so that the race could start near the royal residence at Windsor Castle and finish in front of the royal box in the stadium.",
                [
                    ("How long is an official marathon course?", "42.195 kilometres"),
                    ("Where and when was the race first run at a modern Olympics?", "Athens in 1896"),
                    (
                        "Which Games were responsible for the event's peculiar standard length?",
                        "the 1908 London Olympics",
                    ),
                ],
            ),
            (
                "Training for a marathon usually takes several months. Runners gradually increase the length of a weekly long run, often reaching 30 to 35 kilometres a few weeks before the race, and then reduce their training in a period called the taper so that the body can recover. During the race, many runners experience a sudden loss of energy around the 30-kilometre mark, known as hitting the wall, which happens when the body's stores of glycogen run low. Eating carbohydrates in the days before the race and taking energy drinks or gels along the way helps to delay this.",
                [
                    ("What is the period of lighter training before race day called?", "the taper"),
                    ("What phrase describes the sudden exhaustion runners feel late in the race?", "hitting the wall"),
                    ("Running short of which energy store causes that collapse?", "glycogen"),
                ],
            ),
        ],
    ),
    (
        "Red Panda",
        [
            (
                "The red panda is a small mammal about the size of a house cat that lives in the temperate forests of the eastern Himalayas and southwestern China. It has reddish-brown fur, a white-marked face and a long, bushy tail with pale rings, which it wraps around its body for warmth in cold weather. Although it is classed as a carnivore, bamboo leaves and shoots make up most of its diet. Like the unrelated giant panda, it has an enlarged wrist bone that acts as a false thumb for gripping bamboo stems. The species is listed as endangered, mainly because of habitat loss.",
                [
                    ("What forms the bulk of the red panda's food?", "bamboo leaves and shoots"),
                    (
                        "What anatomical feature helps the animal hold stems?",
                        "an enlarged wrist bone that acts as a false thumb",
                    ),
                    ("What is the chief threat that has made the animal endangered?", "habitat loss"),
                    ("Roughly how large is a red panda?", "about the size of a house cat"),
                ],
            ),
        ],
    ),
    (
        "Osterlund",
        [
            (
                "Osterlund is a fishing town on a sheltered fjord in the far north, known for its rows of timber warehouses painted in deep red and ochre. According to local tradition, the town was founded in 1312 by merchants from the south who came to buy dried cod from the fishermen of the outer islands. For centuries its prosperity rested almost entirely on this trade: cod caught in late winter were split and hung on wooden racks to dry in the cold wind, then shipped south in early summer.",
                [
                    ("In which year does local lore say Osterlund was established?", "1312"),
                    ("What commodity brought southern traders to the fjord?", "dried cod"),
                    (
                        "How was the catch preserved before being sent south?",
                        "hung on wooden racks to dry in the cold wind",
                    ),
                ],
            ),
            (
                "A great fire in 1848 destroyed most of the wooden houses in the town centre. The fire began in a bakery on Harbour Street during a winter storm, and strong winds carried sparks from roof to roof. Although no one was killed, nearly six hundred people lost their homes. When the town was rebuilt, the council required new buildings in the centre to be made of brick or stone and laid out broader streets to act as firebreaks. Only the warehouses along the waterfront, which stood apart from the houses, survived the disaster.",
                [
                    ("Where did the blaze of 1848 break out?", "in a bakery on Harbour Street"),
                    ("How many residents were left homeless by the fire?", "nearly six hundred people"),
                    ("What materials were mandated for new buildings in the centre?", "brick or stone"),
                    ("Which buildings came through the fire undamaged?", "the warehouses along the waterfront"),
                ],
            ),
            (
                "In the twentieth century Osterlund became a centre for polar research. A weather station opened on the headland in 1921, and it was later expanded into the Osterlund Arctic Institute, which now employs around eighty scientists studying sea ice, seabirds and the northern lights. Because the sun does not rise above the horizon for about seven weeks in midwinter, the town holds a festival each January called Sunreturn to celebrate the first day the sun can be seen again from the market square.",
                [
                    (
                        "What research body developed out of the weather station on the headland?",
                        "the Osterlund Arctic Institute",
                    ),
                    ("How many researchers does the institute employ?", "around eighty"),
                    ("What is the name of the celebration held every January?", "Sunreturn"),
                    ("For how long does the sun stay below the horizon in the depths of winter?", "about seven weeks"),
                ],
            ),
        ],
    ),
    (
        "Solar Eclipse",
        [
            (
                "A solar eclipse happens when the Moon passes directly between the Sun and the Earth and casts its shadow on part of the Earth's surface. By a remarkable coincidence, the Sun is about four hundred times wider than the Moon but also about four hundred times farther away, so the two appear almost exactly the same size in the sky. During a total eclipse the Moon covers the whole bright disc of the Sun, and the faint outer atmosphere of the Sun, called the corona, becomes visible as a pearly glow.",
                [
                    ("Which body blocks sunlight from reaching Earth during a solar eclipse?", "the Moon"),
                    (
                        "Why do the Sun and the Moon look about equally large from Earth?",
                        "the Sun is about four hundred times wider than the Moon but also about four hundred times farther away",
                    ),
                    ("What is the faint halo of solar atmosphere seen during totality called?", "the corona"),
                ],
            ),
            (
                "Total eclipses can only be seen from within a narrow band, usually less than two hundred kilometres wide, where the darkest part of the Moon's shadow, the umbra, touches the Earth. Outside this path, observers see a partial eclipse in which only part of the Sun is covered. When the Moon is near the farthest point of its orbit it looks slightly too small to cover the Sun completely, and a bright ring remains visible around it; this is called an annular eclipse. Looking directly at the Sun during any partial phase can damage the eyes, so special filters must be used.",
                [
                    ("What term names the innermost, darkest region of the lunar shadow?", "the umbra"),
                    ("What kind of eclipse leaves a ring of sunlight around the Moon?", "an annular eclipse"),
                    (
                        "How wide is the strip from which totality can be seen, typically?",
                        "less than two hundred kilometres",
                    ),
                ],
            ),
        ],
    ),
    (
        "Kimchi",
        [
            (
                "Kimchi is a Korean dish of salted and fermented vegetables, most commonly napa cabbage and radish, seasoned with chilli powder, garlic, ginger, spring onions and often a salted seafood paste. The cabbage is first soaked in brine for several hours to draw out water and soften the leaves, then rinsed and coated with the seasoning paste. Lactic acid bacteria ferment the sugars in the vegetables, giving kimchi its sour taste. Traditionally, families gathered in late autumn to prepare large quantities for the winter in a communal event called kimjang, and the jars were often buried in the ground to keep them at a steady cool temperature.",
                [
                    ("Which vegetables are used most often to make kimchi?", "napa cabbage and radish"),
                    ("What is the name of the late-autumn gathering to make winter supplies?", "kimjang"),
                    ("Why were storage jars placed underground?", "to keep them at a steady cool temperature"),
                    (
                        "What is the purpose of soaking the cabbage in salt water?",
                        "to draw out water and soften the leaves",
                    ),
                ],
            ),
        ],
    ),
    (
        "Violin",
        [
            (
                "The violin is the smallest and highest-pitched member of the family of bowed string instruments that also includes the viola, cello and double bass. It has four strings tuned in fifths, and the player sounds them by drawing a bow strung with horsehair across them or, less often, by plucking them with the fingers, a technique called pizzicato. The bow hair is rubbed with rosin, a sticky resin, so that it grips the strings. Some of the most prized violins were made in the northern Italian town of Cremona in the late seventeenth and early eighteenth centuries, especially by Antonio Stradivari.",
                [
                    ("What interval separates the tuning of neighbouring violin strings?", "fifths"),
                    ("What is the finger-plucking technique called?", "pizzicato"),
                    ("What sticky substance is applied to the horsehair?", "rosin"),
                    ("In which Italian town were many of the most valuable violins crafted?", "Cremona"),
                ],
            ),
        ],
    ),
    (
        "Glacier",
        [
            (
                "A glacier is a large, persistent body of ice that forms where more snow falls in winter than melts in summer. Over many years the accumulated snow is compressed into dense glacial ice, and once it becomes thick enough it starts to flow downhill under its own weight. Glaciers move in two ways: the ice deforms internally like a very stiff liquid, and the whole mass can slide over its bed on a thin layer of meltwater. Typical valley glaciers advance by a few tens of metres a year, but some outlet glaciers in Greenland move several kilometres annually.",
                [
                    (
                        "Under what circumstances does a glacier develop?",
                        "where more snow falls in winter than melts in summer",
                    ),
                    ("What lets the ice mass glide over the ground beneath it?", "a thin layer of meltwater"),
                    ("How far can some Greenland outlet glaciers travel in a year?", "several kilometres"),
                ],
            ),
            (
                "As they move, glaciers act like enormous files, grinding away rock and carrying debris far from its source. A river valley that has been occupied by a glacier is typically widened and deepened into a U shape, in contrast with the V shape cut by flowing water. Rocks picked up and dropped by the ice, sometimes far from where they originated, are known as erratics. Piles of mixed rubble left at the edge of a glacier form ridges called moraines, which can later dam lakes after the ice has retreated.",
                [
                    ("What cross-section does a valley carved by ice usually have?", "a U shape"),
                    ("What are boulders transported a long way by ice known as?", "erratics"),
                    ("What are the rubble ridges along a glacier's margin called?", "moraines"),
                ],
            ),
        ],
    ),
    (
        "Public-Key Cryptography",
        [
            (
                "Public-key cryptography is a method of securing communication that uses a pair of mathematically related keys instead of a single shared secret. One key, the public key, can be given to anyone, while the other, the private key, is kept secret by its owner. A message encrypted with someone's public key can only be decrypted with the matching private key, so strangers can send confidential messages to each other without first meeting to agree on a password. The best-known system of this kind, RSA, relies on the fact that multiplying two large prime numbers is easy, but recovering the primes from their product is extremely hard.",
                [
                    ("Which of the two keys must its owner keep hidden?", "the private key"),
                    (
                        "What hard problem does the security of RSA depend on?",
                        "recovering the primes from their product",
                    ),
                    (
                        "What step can strangers skip because of this kind of encryption?",
                        "meeting to agree on a password",
                    ),
                ],
            ),
            (
                "The same key pairs can be used in reverse to create digital signatures. The sender computes a short fingerprint of a document, called a hash, and transforms it with their private key; anyone holding the public key can then check that the signature matches the document and that it could only have been produced by the key's owner. Web browsers rely on this idea when they connect to secure websites, checking certificates that are signed by trusted organisations known as certificate authorities. Researchers are now developing new algorithms believed to resist attack by future quantum computers.",
                [
                    ("What is the compact digest of a document that gets signed called?", "a hash"),
                    ("Which trusted bodies sign the certificates that browsers check?", "certificate authorities"),
                    ("What kind of future machine are new algorithms meant to withstand?", "quantum computers"),
                ],
            ),
        ],
    ),
]

# ---------------------------------------------------------------------------
# Articles 21-30
# ---------------------------------------------------------------------------
ARTICLES += [
    (
        "Chess",
        [
            (
                "Chess is a strategy board game for two players, played on a square board of sixty-four squares arranged in an eight-by-eight grid. Each player begins with sixteen pieces: one king, one queen, two rooks, two bishops, two knights and eight pawns. The pieces move in different ways; the knight, for example, jumps in an L shape and is the only piece that can pass over others. The goal is to checkmate the opponent's king, which means attacking it in such a way that it has no legal move to escape capture.",
                [
                    ("How many squares make up a chessboard?", "sixty-four"),
                    ("Which piece is able to hop over other pieces?", "the knight"),
                    ("What must a player do to win a game of chess?", "checkmate the opponent's king"),
                ],
            ),
            (
                "Several special rules add depth to the game. In castling, a player moves the king two squares towards a rook and places the rook on the other side of the king, a manoeuvre that both protects the king and brings the rook into play. A pawn that reaches the far side of the board is promoted, usually to a queen. If a player has no legal move but is not in check, the game ends in a draw by stalemate. Competitive games are played with clocks, and a player who runs out of time loses unless the opponent lacks enough material to deliver checkmate.",
                [
                    ("What special move shifts the king towards a rook and jumps the rook over it?", "castling"),
                    ("What usually happens to a pawn that reaches the opposite edge?", "promoted, usually to a queen"),
                    (
                        "What is a draw called when the side to move has no legal moves but is not in check?",
                        "stalemate",
                    ),
                ],
            ),
        ],
    ),
    (
        "Mount Kerrow",
        [
            (
                "Mount Kerrow is the highest peak of the Dunmere Range, rising to 2,947 metres above sea level. Its summit is a sharp pyramid of dark schist with three distinct ridges, the most famous of which, the Glass Ridge, is named for the sheets of ice that cover it for much of the year. Kerrow was first climbed in August 1871 by a surveyor, Edith Marlowe, and two local guides from the village of Tollan, who reached the top by the gentler eastern ridge after two failed attempts the previous summer.",
                [
                    ("What is the elevation of the tallest summit in the Dunmere Range?", "2,947 metres"),
                    ("Which surveyor made the first ascent of the mountain?", "Edith Marlowe"),
                    ("Which route did the first party use to reach the top?", "the gentler eastern ridge"),
                    ("Where did the Glass Ridge get its name?", "the sheets of ice that cover it for much of the year"),
                ],
            ),
            (
                "The mountain has a reputation for sudden changes in weather. Warm, moist air from the western sea is forced upward by the range, and clear mornings can turn into storms within an hour. A stone refuge, the Marlowe Hut, was built at 2,100 metres in 1903 to give climbers shelter, and it is staffed by wardens from June to September. The standard route from the hut to the summit takes about five hours for fit walkers, but it crosses a glacier and requires rope, crampons and an ice axe.",
                [
                    ("What is the name of the mountain shelter built in 1903?", "the Marlowe Hut"),
                    ("During which months are wardens present at the refuge?", "from June to September"),
                    ("What gear is needed for the normal way to the summit?", "rope, crampons and an ice axe"),
                ],
            ),
        ],
    ),
    (
        "Lighthouse",
        [
            (
                "A lighthouse is a tower with a powerful lamp at the top that guides ships at night and warns them of dangerous rocks, reefs and harbour entrances. Each lighthouse flashes in its own pattern, called its character, so that sailors can tell which light they are looking at by timing the flashes. Early lighthouses burned wood, coal or candles, later replaced by oil lamps with polished reflectors. A major advance came in the 1820s, when the French physicist Augustin Fresnel designed a lens made of concentric rings of glass prisms that could gather light and project it as a beam visible for many kilometres.",
                [
                    ("What is the distinctive flashing sequence of a light station called?", "its character"),
                    ("What fuels did the first lighthouses use?", "wood, coal or candles"),
                    ("Which physicist invented a lens built from rings of prisms?", "Augustin Fresnel"),
                ],
            ),
            (
                "For most of their history lighthouses were tended by keepers, who lived at or near the tower with their families. The keepers had to wind the clockwork that turned the lens, trim the wicks, clean soot from the glass and keep watch through the night. Life on isolated rock stations could be lonely and dangerous, and supplies were sometimes delayed for weeks by storms. During the twentieth century most lights were automated, with electric lamps and remote monitoring, and the last keepers were withdrawn from many countries' lighthouses by the 1990s.",
                [
                    ("What mechanism rotating the lens had to be wound by hand?", "the clockwork"),
                    ("What could hold up deliveries to remote rock towers for weeks?", "storms"),
                    ("By which decade had many nations removed their final lighthouse attendants?", "the 1990s"),
                ],
            ),
        ],
    ),
    (
        "Coffee",
        [
            (
                "Coffee is brewed from the roasted seeds of the coffee plant, which are commonly called beans even though they are the pits of a small red fruit known as a cherry. Two species dominate world production: arabica, which is grown at higher altitudes and valued for its milder, more aromatic flavour, and robusta, which is hardier, easier to grow and contains roughly twice as much caffeine. The coffee plant is thought to have originated in the highlands of Ethiopia, and the drink became popular in Yemen before spreading across the Middle East.",
                [
                    ("What is the small red fruit of the coffee plant called?", "a cherry"),
                    ("Which of the two main species has about double the caffeine?", "robusta"),
                    ("Where is the coffee plant believed to have come from?", "the highlands of Ethiopia"),
                    ("In which country did drinking coffee first catch on?", "Yemen"),
                ],
            ),
            (
                "Roasting transforms green coffee beans, which have a grassy smell and little flavour, into the brown, fragrant beans used for brewing. As the beans heat up they lose moisture, turn yellow and then brown, and eventually crack audibly, an event roasters call first crack. Light roasts are stopped shortly after this point and keep more of the bean's fruity acidity, while dark roasts are taken further, developing bitter, smoky notes. Once roasted, beans gradually lose their aroma, so many enthusiasts grind them just before brewing.",
                [
                    ("What do roasters call the moment the beans begin to pop?", "first crack"),
                    ("Which roasts retain more of the bean's fruity sourness?", "Light roasts"),
                    (
                        "Why do keen coffee drinkers grind beans immediately before making a cup?",
                        "beans gradually lose their aroma",
                    ),
                ],
            ),
        ],
    ),
    (
        "Sarnen Valley Railway",
        [
            (
                "The Sarnen Valley Railway is a metre-gauge mountain railway that links the lakeside town of Lenzau with the high village of Sarnen-Oberdorf. The line is 27 kilometres long and climbs 1,140 metres, with gradients of up to 12 percent on its steepest sections, where a toothed rack rail between the running rails gives the trains extra grip. It was opened in stages between 1889 and 1893 and was electrified in 1912, replacing steam locomotives that had struggled with the weight of winter snow.",
                [
                    ("Which town by the lake is the lower terminus of the line?", "Lenzau"),
                    (
                        "What helps the trains keep traction on the steepest gradients?",
                        "a toothed rack rail between the running rails",
                    ),
                    ("When did electric traction replace steam on the line?", "1912"),
                ],
            ),
            (
                "Building the railway proved far harder than its promoters had expected. The original plan, drawn up by the engineer Matthias Kübler in 1885, proposed a route along the valley floor with a single short tunnel, but test borings showed that much of the valley bottom consisted of loose glacial gravel that was prone to flooding each spring. Kübler's successor, a young engineer named Anna Reust, redesigned the upper half of the line to follow the northern slope of the valley instead, well above the reach of the river. The new route required four tunnels, the longest of which, the Hornfels Tunnel, runs for 1,420 metres through solid rock, as well as a curving stone viaduct of eleven arches across the Tobel gorge. Around nine hundred labourers worked on the line at the peak of construction, many of them migrants from the south who lived in temporary wooden camps beside the worksites. Conditions were difficult: blasting accidents and rockfalls killed seventeen workers over the four years of building, and a memorial stone listing their names still stands near the portal of the Hornfels Tunnel. Costs rose steadily, and in 1891 the company came close to bankruptcy before the regional government agreed to buy a large block of shares in exchange for the right to set fares for local residents. When the final section opened in the summer of 1893, the journey from Lenzau to Sarnen-Oberdorf, which had taken most of a day on foot or by mule, could be made in under two hours. The railway quickly transformed the upper valley. Hotels were built at Sarnen-Oberdorf, dairy farmers began sending fresh milk down to the lakeside towns every morning, and within a decade the village had changed from a remote farming community into a fashionable summer resort for visitors from the cities.",
                [
                    ("Which engineer moved the upper part of the route onto the northern hillside?", "Anna Reust"),
                    (
                        "Why was the first plan to follow the bottom of the valley abandoned?",
                        "loose glacial gravel that was prone to flooding each spring",
                    ),
                    ("How long is the railway's longest tunnel?", "1,420 metres"),
                    ("How many labourers lost their lives while the line was being built?", "seventeen workers"),
                    (
                        "What did the regional government receive in return for investing in the company?",
                        "the right to set fares for local residents",
                    ),
                    ("After the line opened, how long did the trip up the valley take?", "under two hours"),
                ],
            ),
            (
                "Today the railway carries about 600,000 passengers a year, most of them tourists and skiers. In winter the company runs special early trains for ski instructors and lift staff, and snowploughs mounted on the front of the locomotives keep the line open except during the heaviest storms. The original 1893 station building at Sarnen-Oberdorf, with its carved wooden balconies, is protected as a historic monument and now contains a small museum about the line's construction.",
                [
                    ("How many people ride the line each year?", "about 600,000 passengers"),
                    (
                        "What equipment keeps the track clear of snow?",
                        "snowploughs mounted on the front of the locomotives",
                    ),
                    (
                        "What is housed in the historic station at the upper terminus?",
                        "a small museum about the line's construction",
                    ),
                ],
            ),
        ],
    ),
    (
        "Bicycle",
        [
            (
                "The earliest ancestor of the bicycle was the running machine built by the German inventor Karl Drais in 1817. It had two wheels in line and a steerable front wheel, but no pedals; the rider sat astride a wooden frame and pushed along the ground with the feet. Pedals attached directly to the front wheel appeared in France in the 1860s, and to travel faster, makers enlarged the front wheel, leading to the high-wheeled penny-farthing, whose rider sat more than a metre above the ground and risked serious falls.",
                [
                    ("Who constructed the pedal-less forerunner of the bicycle?", "Karl Drais"),
                    ("How did riders of the first two-wheeler move forward?", "pushed along the ground with the feet"),
                    ("What was the tall machine with a huge front wheel called?", "penny-farthing"),
                ],
            ),
            (
                "The so-called safety bicycle of the 1880s established the basic design still used today: two wheels of equal size, with the rear wheel driven by a chain from pedals mounted between them. Shortly afterwards, the invention of the air-filled rubber tyre made riding much more comfortable on rough roads. The bicycle became hugely popular in the 1890s and gave many people, especially women, a new independence of movement. Modern bicycles add gears, lightweight aluminium or carbon-fibre frames and, increasingly, electric motors that assist the rider.",
                [
                    ("Which 1880s design set the pattern for modern bikes?", "safety bicycle"),
                    ("What transfers power from the pedals to the back wheel?", "a chain"),
                    ("Which invention made cycling over bumpy roads more pleasant?", "the air-filled rubber tyre"),
                ],
            ),
        ],
    ),
    (
        "Tide",
        [
            (
                "Tides are the regular rise and fall of sea level caused mainly by the gravitational pull of the Moon, with a smaller contribution from the Sun. The Moon's pull stretches the oceans into two bulges, one on the side of the Earth facing the Moon and one on the opposite side, and as the Earth rotates most coasts pass through both bulges, giving two high tides roughly every 25 hours. When the Sun, Moon and Earth line up at new and full moon, their effects combine to produce especially large spring tides; when they are at right angles, the smaller range is called a neap tide.",
                [
                    (
                        "What is the main force behind the ocean's daily rise and fall?",
                        "the gravitational pull of the Moon",
                    ),
                    ("How often does a typical coast see two high waters?", "roughly every 25 hours"),
                    ("What are the unusually large tides at new and full moon known as?", "spring tides"),
                    ("What is the tide with the smallest range called?", "a neap tide"),
                ],
            ),
        ],
    ),
    (
        "Emperor Penguin",
        [
            (
                "The emperor penguin is the tallest and heaviest of all living penguins, standing over a metre tall and weighing up to about 40 kilograms. It lives only in Antarctica and is unusual in breeding during the southern winter, when temperatures on the sea ice can fall below minus 40 degrees Celsius. Colonies gather on stable ice far from the open sea, and the birds huddle together in tightly packed groups, taking turns to move from the cold outer edge to the warmer centre.",
                [
                    ("What is the maximum weight of the largest penguin species?", "about 40 kilograms"),
                    ("During which season do these birds raise their young?", "the southern winter"),
                    ("How do the birds keep warm as a group?", "huddle together in tightly packed groups"),
                ],
            ),
            (
                "After the female lays a single egg, she passes it carefully to the male and returns to the sea to feed. The male balances the egg on his feet and covers it with a fold of feathered skin called the brood pouch. For roughly two months he incubates it without eating, losing up to a third of his body weight. If the chick hatches before the female returns, he can feed it a milky secretion produced in his throat. When the female arrives with a stomach full of fish, the parents swap roles.",
                [
                    ("What is the feathered flap that covers the egg called?", "the brood pouch"),
                    ("How much weight does the father lose while incubating?", "up to a third of his body weight"),
                    (
                        "What can the father give an early-hatching chick to eat?",
                        "a milky secretion produced in his throat",
                    ),
                ],
            ),
        ],
    ),
    (
        "Jazz",
        [
            (
                "Jazz is a style of music that developed in the African American communities of New Orleans in the late nineteenth and early twentieth centuries. It drew on the blues, ragtime, brass band marches and church music, and it placed great emphasis on improvisation, in which musicians invent melodies on the spot over a repeating sequence of chords. Swung rhythm, in which pairs of notes are played unevenly to create a lilting feel, became one of its defining features.",
                [
                    ("In which city did jazz first develop?", "New Orleans"),
                    (
                        "What do jazz performers do when they improvise?",
                        "invent melodies on the spot over a repeating sequence of chords",
                    ),
                    (
                        "What rhythmic feel, based on unevenly played note pairs, characterises the music?",
                        "Swung rhythm",
                    ),
                ],
            ),
            (
                "In the 1930s big bands with a dozen or more musicians played swing music for dancing in ballrooms across the United States. After the Second World War, smaller groups developed bebop, a faster and harmonically more complex style meant for listening rather than dancing. Later decades brought cool jazz, modal jazz, free jazz and jazz-rock fusion, each reacting in some way to what came before. Jazz festivals are now held on every continent except Antarctica.",
                [
                    ("What kind of dance music did large ensembles perform in the 1930s?", "swing music"),
                    ("Which fast, complex style arose in small groups after 1945?", "bebop"),
                    ("Which continent has no jazz festivals?", "Antarctica"),
                ],
            ),
        ],
    ),
    (
        "Volcano",
        [
            (
                "A volcano is an opening in the Earth's crust through which molten rock, gases and ash escape from below. Molten rock stored underground is called magma; once it reaches the surface it is known as lava. The shape of a volcano depends largely on how runny its magma is. Fluid basalt lava spreads over great distances and builds broad, gently sloping shield volcanoes, while thick, sticky magma traps gas and tends to erupt explosively, building steep cone-shaped stratovolcanoes from alternating layers of lava and ash.",
                [
                    ("What is molten rock called while it is still below ground?", "magma"),
                    ("What type of volcano do runny basalt flows build?", "shield volcanoes"),
                    ("What are steep cones built from alternating lava and ash layers called?", "stratovolcanoes"),
                ],
            ),
            (
                "Large explosive eruptions can affect the climate of the whole planet. Sulphur gases blasted into the upper atmosphere form tiny droplets that reflect sunlight back into space, cooling the surface for a year or more. Volcanoes also create fertile soils, and many farming communities live on their slopes despite the risks. Scientists monitor active volcanoes by measuring small earthquakes, changes in the shape of the ground and the gases released from vents, all of which can signal that magma is rising.",
                [
                    (
                        "How do sulphur emissions from a big eruption lower global temperatures?",
                        "form tiny droplets that reflect sunlight back into space",
                    ),
                    ("What attracts farmers to settle on the flanks of volcanoes?", "fertile soils"),
                    (
                        "What do scientists measure to detect rising magma?",
                        "small earthquakes, changes in the shape of the ground and the gases released from vents",
                    ),
                ],
            ),
        ],
    ),
]

# ---------------------------------------------------------------------------
# Articles 31-45
# ---------------------------------------------------------------------------
ARTICLES += [
    (
        "Port Callow",
        [
            (
                "Port Callow is a harbour city on the estuary of the River Dane, built on a series of low hills overlooking a deep natural anchorage. It began as a fishing village but grew rapidly in the eighteenth century as a base for ships trading timber, salt and grain across the northern sea. The old town, clustered around the harbour, is a maze of steep lanes and stone stairways known locally as the wynds, many of them too narrow for carts.",
                [
                    ("At the mouth of which river does Port Callow stand?", "the River Dane"),
                    ("What cargoes did the city's ships carry in the eighteenth century?", "timber, salt and grain"),
                    ("What do residents call the narrow alleys and steps of the old town?", "the wynds"),
                ],
            ),
            (
                "The nineteenth century brought shipbuilding to Port Callow on a grand scale. The first large yard was opened in 1836 by the brothers Thomas and Hugh Ferrant on reclaimed marshland at the eastern end of the harbour, and within twenty years a string of yards lined both banks of the estuary. At first they built wooden sailing ships, but the Ferrant yard launched the city's first iron-hulled steamship, the Callow Star, in 1859, and from then on iron and later steel dominated the trade. By 1900 the yards employed some fourteen thousand men, and the city's population had reached nearly a hundred and twenty thousand, making it the largest town in the province. The work was dangerous and irregular: men were hired by the day at the yard gates, and when orders dried up thousands could be laid off at a week's notice. Out of these conditions grew a strong labour movement, and the Port Callow Shipwrights' Union, founded in 1871, became one of the most influential trade unions in the country. The prosperity of the yards also paid for much of the city's grand architecture. The domed Exchange Hall, completed in 1884, was where shipowners met to buy and sell cargoes, and the Ferrant family donated the money for the public library and the botanical gardens on Kellet Hill. Shipbuilding declined sharply after the 1950s as competition from abroad increased, and the last of the great yards closed in 1986. Its giant crane, known affectionately as the Heron, was kept as a monument and has become the best-known landmark on the city skyline.",
                [
                    ("Who founded the first big shipyard in the city?", "Thomas and Hugh Ferrant"),
                    ("What was the name of the first iron steamship built in Port Callow?", "the Callow Star"),
                    (
                        "How large was the shipyard workforce at the turn of the twentieth century?",
                        "some fourteen thousand men",
                    ),
                    ("Which workers' organisation was established in 1871?", "the Port Callow Shipwrights' Union"),
                    ("In which building did shipowners trade cargoes?", "Exchange Hall"),
                    ("What nickname was given to the crane preserved from the last yard?", "the Heron"),
                ],
            ),
            (
                "Modern Port Callow has reinvented itself as a centre for education and services. The University of Port Callow, founded in 1921 in a former sailors' hospital, now has more than twenty thousand students. The old docks on the eastern waterfront have been converted into housing, restaurants and a maritime museum whose collection includes a full-size replica of the Callow Star. A ferry still crosses the estuary every twenty minutes, linking the city centre with the seaside suburb of Wenlow.",
                [
                    ("What kind of building first housed the city's university?", "a former sailors' hospital"),
                    ("How many students are enrolled at the university?", "more than twenty thousand students"),
                    ("Which coastal suburb is reached by the estuary ferry?", "Wenlow"),
                ],
            ),
        ],
    ),
    (
        "Vaccine",
        [
            (
                "A vaccine is a preparation that trains the immune system to recognise and fight a particular disease-causing organism without the person first having to suffer the illness. The immune system learns from experience. When it meets a new invader, specialised white blood cells called B cells and T cells slowly work out how to recognise it, and some of them survive afterwards as memory cells. If the same germ appears again, these memory cells allow the body to respond much faster and more strongly, often destroying the infection before any symptoms appear. Vaccines take advantage of this by presenting the immune system with a harmless version or fragment of the germ. Some vaccines contain a weakened form of a living virus that can still multiply a little but cannot cause serious disease; these live attenuated vaccines usually give long-lasting protection after one or two doses. Others contain viruses or bacteria that have been killed by heat or chemicals, or just a single purified protein from the surface of the germ, and these often need several doses and periodic boosters. A newer approach delivers genetic instructions, in the form of messenger RNA, that tell the body's own cells to produce a harmless piece of the germ for a short time. Once enough people in a community are immune, a disease finds it hard to spread, which also protects those who cannot be vaccinated, such as newborn babies or people with weakened immune systems. This effect is known as herd immunity. The proportion of the population that must be immune to achieve it depends on how contagious the disease is; for measles, one of the most infectious diseases known, it is around 95 percent.",
                [
                    ("What are the long-lived immune cells that recall a past infection called?", "memory cells"),
                    (
                        "What name is given to vaccines containing a weakened but living virus?",
                        "live attenuated vaccines",
                    ),
                    ("What kind of genetic instructions do some newer vaccines deliver?", "messenger RNA"),
                    (
                        "What is the indirect protection of unvaccinated people in a largely immune population called?",
                        "herd immunity",
                    ),
                    ("What share of people must be immune to stop measles spreading?", "around 95 percent"),
                ],
            ),
            (
                "The English doctor Edward Jenner is often called the founder of vaccination. In 1796 he noticed that milkmaids who had caught cowpox, a mild disease picked up from cattle, seemed to be protected from smallpox. He tested the idea by scratching material from a cowpox sore into the arm of a boy and later exposing him to smallpox, which the boy did not catch. The word vaccine comes from the Latin word for cow, vacca. Nearly two centuries later, a worldwide vaccination campaign led to smallpox being declared eradicated in 1980.",
                [
                    ("Which physician is regarded as the father of vaccination?", "Edward Jenner"),
                    ("Which people appeared to be immune to smallpox?", "milkmaids who had caught cowpox"),
                    ("From what Latin word is the term vaccine derived?", "vacca"),
                    ("In what year was smallpox officially wiped out?", "1980"),
                ],
            ),
        ],
    ),
    (
        "Cricket",
        [
            (
                "Cricket is a bat-and-ball game played between two teams of eleven players on a large oval field. At the centre is a rectangular strip called the pitch, twenty-two yards long, with a set of three wooden stumps topped by two small bails at each end; each set is known as a wicket. One team bats while the other bowls and fields. A bowler delivers the ball towards the batter, who tries to hit it and score runs by running between the wickets, or by striking it to the boundary for four or six runs.",
                [
                    ("How many players make up a cricket side?", "eleven"),
                    ("What is the length of the central strip of the field?", "twenty-two yards"),
                    ("What is a group of three stumps with bails called?", "a wicket"),
                    (
                        "How many runs does a batter earn by hitting the ball to the edge of the field?",
                        "four or six runs",
                    ),
                ],
            ),
            (
                "Cricket matches come in several formats of very different lengths. Test matches, the traditional form played between national teams, can last up to five days, and each side bats twice. One-day internationals limit each team to fifty overs, an over being a set of six balls bowled by one bowler. The shortest professional format, Twenty20, gives each side just twenty overs and usually finishes in about three hours, which has made it especially popular with television audiences.",
                [
                    ("What is the maximum duration of a Test match?", "up to five days"),
                    ("How many deliveries are there in an over?", "six balls"),
                    ("Which is the briefest professional version of the game?", "Twenty20"),
                ],
            ),
        ],
    ),
    (
        "Grey Wolf",
        [
            (
                "The grey wolf is the largest wild member of the dog family and once ranged across most of the Northern Hemisphere. Wolves live in packs, which are usually family groups made up of a breeding pair and their offspring from the previous few years. A pack defends a territory that may cover more than a thousand square kilometres where prey is scarce, marking its boundaries with scent and announcing its presence with howls that can be heard several kilometres away. By hunting cooperatively, wolves can bring down animals much larger than themselves, such as elk and moose.",
                [
                    (
                        "Who usually makes up a wolf pack?",
                        "a breeding pair and their offspring from the previous few years",
                    ),
                    (
                        "How big can a pack's range be where food is hard to find?",
                        "more than a thousand square kilometres",
                    ),
                    ("How do wolves mark the edges of their territory?", "with scent"),
                    ("Which large animals can wolves kill by hunting as a team?", "elk and moose"),
                ],
            ),
        ],
    ),
    (
        "Risotto",
        [
            (
                "Risotto is a northern Italian rice dish cooked slowly in broth until it reaches a creamy consistency. It is made with short, round-grained varieties such as arborio or carnaroli, whose grains release starch as they cook while keeping a firm centre. The rice is first toasted briefly in butter or oil with chopped onion, then a splash of wine is added, followed by hot stock poured in one ladle at a time while the cook stirs almost continuously. At the end, cold butter and grated cheese are beaten in, a step known as mantecatura, which gives the dish its glossy finish.",
                [
                    ("Which types of rice are used for this dish?", "arborio or carnaroli"),
                    ("How is the hot broth added to the pan?", "one ladle at a time"),
                    ("What is the final stage of beating in butter and cheese called?", "mantecatura"),
                ],
            ),
        ],
    ),
    (
        "Relational Database",
        [
            (
                "A relational database stores information in tables, each made up of rows and columns. Every row represents one record, such as a customer or an order, and every column holds one attribute of that record, such as a name or a date. Each table normally has a primary key, a column or group of columns whose value uniquely identifies each row. Tables are linked through foreign keys: an order row, for example, might store the primary key of the customer who placed it, allowing the two tables to be combined when needed. This model was proposed by the computer scientist Edgar F. Codd at IBM in 1970.",
                [
                    ("What identifies every row in a table uniquely?", "a primary key"),
                    ("What mechanism connects one table to another?", "foreign keys"),
                    ("Which computer scientist introduced the relational model?", "Edgar F. Codd"),
                    ("In what year was the relational approach put forward?", "1970"),
                ],
            ),
            (
                "Most relational databases are queried using SQL, a language in which the user describes what data they want rather than how to find it. The database's query planner then decides how to carry out the request, for instance whether to scan a whole table or use an index, a separate structure that allows matching rows to be located quickly. Relational databases also group changes into transactions, which either complete entirely or have no effect at all, so that a failure halfway through, such as a power cut during a bank transfer, cannot leave the data in an inconsistent state.",
                [
                    ("What language is normally used to ask questions of a relational database?", "SQL"),
                    ("Which component chooses the strategy for executing a request?", "query planner"),
                    ("What auxiliary structure speeds up finding matching rows?", "an index"),
                    ("What are all-or-nothing units of change called?", "transactions"),
                ],
            ),
        ],
    ),
    (
        "Amberly Textile Strike",
        [
            (
                "The Amberly Textile Strike was an industrial dispute in the weaving town of Amberly that lasted from March to October 1909. It began when the owners of the four largest weaving sheds announced a ten percent cut in piece rates, the payments made to weavers for each length of cloth produced. About three thousand workers, most of them women, walked out in protest. The strike was led by a weaver named Clara Whitlow, who organised daily meetings on the town green and a fund that provided bread and soup to families of the strikers.",
                [
                    ("Over which months did the Amberly dispute run?", "from March to October 1909"),
                    ("What announcement by the owners set off the walkout?", "a ten percent cut in piece rates"),
                    ("Who was the leader of the striking weavers?", "Clara Whitlow"),
                    ("Where did the strikers gather every day?", "on the town green"),
                ],
            ),
            (
                "As the months passed, support for the strikers spread well beyond Amberly. Dockworkers in nearby ports refused to unload raw cotton bound for the town's mills, and donations arrived from unions across the country. In September the owners agreed to arbitration by a panel chaired by a local magistrate, and the following month they withdrew the pay cut in return for a promise that there would be no further strikes for two years. The dispute is remembered each spring with a march from the old weaving sheds to the green, and a statue of Clara Whitlow was unveiled there in 2009 to mark the centenary.",
                [
                    ("Who would not unload cotton destined for Amberly?", "Dockworkers in nearby ports"),
                    ("Who presided over the panel that settled the dispute?", "a local magistrate"),
                    (
                        "What did the workers pledge in exchange for the pay cut being dropped?",
                        "no further strikes for two years",
                    ),
                    ("When was the monument to the strike leader put up?", "2009"),
                ],
            ),
        ],
    ),
    (
        "Tropical Rainforest",
        [
            (
                "Tropical rainforests grow in a belt near the equator where temperatures stay warm all year and annual rainfall usually exceeds two metres. Although they cover only a small fraction of the Earth's land surface, they are home to more than half of all known species of plants and animals. The forest is organised in layers. The tallest trees, called emergents, rise above the rest; beneath them the canopy forms a dense, continuous roof of leaves where most animals live; and the dim forest floor receives only about two percent of the sunlight that reaches the top.",
                [
                    ("What proportion of known species live in tropical rainforests?", "more than half"),
                    ("What are the giant trees poking above the canopy called?", "emergents"),
                    ("How much of the sunlight reaches the ground in these forests?", "about two percent"),
                ],
            ),
            (
                "Despite the lush vegetation, rainforest soils are often thin and poor in nutrients. Dead leaves and fallen trees decay quickly in the warm, damp conditions, and the released nutrients are taken up almost immediately by roots and fungi, so little is stored in the ground. This is why land cleared for farming often loses its fertility within a few years. Large areas of rainforest are cut down each year for cattle ranching, soy and palm oil plantations and logging, which threatens countless species and releases carbon stored in the trees.",
                [
                    (
                        "Why does so little nourishment accumulate in rainforest soil?",
                        "the released nutrients are taken up almost immediately by roots and fungi",
                    ),
                    (
                        "What happens to cleared rainforest land used for crops after a short time?",
                        "loses its fertility within a few years",
                    ),
                    (
                        "For what purposes are rainforests being felled?",
                        "cattle ranching, soy and palm oil plantations and logging",
                    ),
                ],
            ),
        ],
    ),
    (
        "Origami",
        [
            (
                "Origami is the art of folding paper into decorative shapes without cutting or gluing it. Although paper folding was practised in several cultures, the art is most closely associated with Japan, where folded paper was used in ceremonies and for wrapping gifts for centuries before it became a popular pastime. One of the best-known traditional designs is the crane, a bird that symbolises long life; according to a popular belief, anyone who folds a thousand cranes will be granted a wish. In recent decades mathematicians and engineers have studied origami techniques to design folding solar panels for satellites and medical devices that expand inside the body.",
                [
                    ("Which two techniques are not used in traditional paper folding?", "cutting or gluing"),
                    ("With which country is the art of paper folding most strongly linked?", "Japan"),
                    ("What does the paper crane stand for?", "long life"),
                    (
                        "What space hardware have engineers designed using folding techniques?",
                        "folding solar panels for satellites",
                    ),
                ],
            ),
        ],
    ),
    (
        "Hot Air Balloon",
        [
            (
                "A hot air balloon rises because the air inside its envelope is heated, making it less dense than the cooler air around it. A burner fuelled by propane, mounted above the wicker basket, heats the air in short bursts, and the pilot climbs by firing the burner and descends by letting the air cool or opening a vent at the top of the envelope. Because the balloon has no engine to push it along, the pilot can only steer by changing height to catch winds blowing in different directions. The first manned flight in a hot air balloon was made in Paris in 1783, in a craft built by the Montgolfier brothers.",
                [
                    ("What gas fuels the balloon's burner?", "propane"),
                    (
                        "How can a balloonist control the direction of travel?",
                        "changing height to catch winds blowing in different directions",
                    ),
                    ("Who built the craft used for the first crewed balloon ascent?", "the Montgolfier brothers"),
                    ("In which city did people first fly in a hot air balloon?", "Paris"),
                ],
            ),
        ],
    ),
    (
        "Moon",
        [
            (
                "The Moon is Earth's only natural satellite and, at about a quarter of the Earth's diameter, it is unusually large compared with the planet it orbits. The most widely accepted explanation of its origin is that it formed from debris thrown into orbit when a Mars-sized body collided with the young Earth around 4.5 billion years ago. The Moon always keeps the same face towards the Earth because its rotation period matches the time it takes to complete one orbit, about 27 days, a situation known as tidal locking.",
                [
                    ("How does the Moon's width compare with Earth's?", "about a quarter of the Earth's diameter"),
                    (
                        "What kind of object is thought to have struck the early Earth, creating the Moon?",
                        "a Mars-sized body",
                    ),
                    ("What is the name for the condition that keeps one side of the Moon facing us?", "tidal locking"),
                ],
            ),
            (
                "The dark patches visible on the Moon with the naked eye are vast plains of solidified lava that early astronomers mistook for seas and named maria, the Latin word for seas. The brighter regions are older, heavily cratered highlands. Because the Moon has almost no atmosphere, there is no weather to erase its craters, and footprints left by astronauts could last for millions of years. Between 1969 and 1972, twelve astronauts walked on the lunar surface during the American Apollo programme, bringing back nearly 382 kilograms of rock and soil.",
                [
                    ("What name did early astronomers give to the Moon's dark areas?", "maria"),
                    ("What are the dark lunar plains actually made of?", "solidified lava"),
                    ("How many people have walked on the Moon?", "twelve astronauts"),
                    ("How much lunar material was returned to Earth?", "nearly 382 kilograms of rock and soil"),
                ],
            ),
        ],
    ),
    (
        "Composting",
        [
            (
                "Composting is the controlled decay of organic waste such as vegetable peelings, grass cuttings and fallen leaves into a dark, crumbly material that improves garden soil. The process is carried out by bacteria, fungi, worms and other small creatures, which work best when the heap contains a balance of nitrogen-rich green material and carbon-rich brown material such as straw, cardboard or dry leaves. Turning the heap every few weeks lets in oxygen and speeds up decomposition; a well-managed heap can become hot enough in the centre to kill many weed seeds. Meat and dairy products are usually left out because they attract rats and produce unpleasant smells.",
                [
                    (
                        "Which organisms break down the waste in a compost heap?",
                        "bacteria, fungi, worms and other small creatures",
                    ),
                    ("What are some examples of carbon-rich ingredients?", "straw, cardboard or dry leaves"),
                    ("What does regularly mixing the pile provide?", "oxygen"),
                    (
                        "Why are animal products kept out of the heap?",
                        "they attract rats and produce unpleasant smells",
                    ),
                ],
            ),
        ],
    ),
    (
        "Elephant",
        [
            (
                "Elephants are the largest living land animals. There are three species: the African savanna elephant, the smaller African forest elephant and the Asian elephant. The most striking feature of all elephants is the trunk, a long, muscular fusion of the nose and upper lip containing tens of thousands of muscle units, which the animals use for breathing, smelling, drinking, lifting objects and greeting one another. Their tusks are greatly enlarged incisor teeth that keep growing throughout life.",
                [
                    ("How many species of elephant exist today?", "three"),
                    ("Which two body parts are joined to form the trunk?", "the nose and upper lip"),
                    ("What kind of teeth are tusks?", "greatly enlarged incisor teeth"),
                ],
            ),
            (
                "Elephant society is built around groups of related females and their young, led by the oldest female, known as the matriarch. Her memory of water sources and safe routes can be vital to the herd's survival during droughts. Adult males usually leave the family group in their teens and live alone or in loose bachelor groups. Elephants communicate partly through low-frequency rumbles, many of them below the range of human hearing, which can travel several kilometres through the air and ground. A female carries her calf for about twenty-two months, the longest pregnancy of any mammal.",
                [
                    ("What is the senior female who leads the herd called?", "the matriarch"),
                    ("At what age do young bulls typically leave their family?", "in their teens"),
                    ("How long does an elephant pregnancy last?", "about twenty-two months"),
                    (
                        "What deep sounds do elephants use to keep in touch over long distances?",
                        "low-frequency rumbles",
                    ),
                ],
            ),
        ],
    ),
    (
        "Festival of Lanterns (Mirovia)",
        [
            (
                "The Festival of Lanterns is the best-known celebration of Mirovia, a river town in the hill country of the Estrava region. Held on the first new moon after the autumn harvest, it commemorates the night in 1602 when, according to legend, townspeople lit hundreds of lamps along the riverbank to guide home a fleet of grain barges caught in a sudden fog. Today the festival lasts three nights, and on the final evening families release paper lanterns carrying small candles onto the river, where they drift slowly downstream past the old stone bridge.",
                [
                    ("When does Mirovia hold its lantern celebration?", "the first new moon after the autumn harvest"),
                    (
                        "In the legend, what were the lamps on the riverbank meant to bring home safely?",
                        "a fleet of grain barges",
                    ),
                    ("How long does the festival go on?", "three nights"),
                    (
                        "What do families do on the last night of the festival?",
                        "release paper lanterns carrying small candles onto the river",
                    ),
                ],
            ),
            (
                "Preparations begin weeks in advance. Each district of the town builds a large frame lantern, often shaped like a boat, a fish or a heron, from bamboo strips and oiled paper, and the lanterns are carried through the streets in a procession on the second night. A panel of judges awards a copper bell to the district with the most impressive design, and the winning district keeps the bell in its meeting hall for a year. Since the 1990s the organisers have required floating lanterns to be made from biodegradable materials to protect the river.",
                [
                    ("What are the districts' big lanterns constructed from?", "bamboo strips and oiled paper"),
                    ("What trophy is given to the neighbourhood with the best lantern?", "a copper bell"),
                    (
                        "What rule have organisers imposed on floating lanterns since the 1990s?",
                        "made from biodegradable materials",
                    ),
                ],
            ),
        ],
    ),
    (
        "Tennis",
        [
            (
                "Tennis is a racket sport played either between two players, known as singles, or between two teams of two, known as doubles. Players hit a felt-covered rubber ball over a net into the opponent's court. Scoring follows an unusual sequence: the first point won in a game is called fifteen, the second thirty and the third forty, and a score of zero is called love. If both players reach forty, the score is deuce, and one player must then win two consecutive points to take the game. The four most prestigious tournaments, known as the Grand Slam events, are held in Australia, France, Britain and the United States.",
                [
                    ("What word is used for a score of nothing in tennis?", "love"),
                    ("What is the score called when both sides have forty?", "deuce"),
                    ("What is the pairs version of the game called?", "doubles"),
                    (
                        "In which countries are the four major championships played?",
                        "Australia, France, Britain and the United States",
                    ),
                ],
            ),
        ],
    ),
]

# ---------------------------------------------------------------------------
# Articles 46-60
# ---------------------------------------------------------------------------
ARTICLES += [
    (
        "Lithium-Ion Battery",
        [
            (
                "A lithium-ion battery stores energy by moving lithium ions between two electrodes. While the battery is charging, ions travel from the positive electrode, usually made of a lithium metal oxide, through a liquid electrolyte and a thin porous separator, and settle between the layers of the negative electrode, which is typically made of graphite. During discharge the ions flow back, and electrons pass through the external circuit, powering the connected device. These batteries store much more energy for their weight than older nickel or lead-based types, which is why they dominate phones, laptops and electric cars.",
                [
                    ("What is the negative electrode of these cells usually made from?", "graphite"),
                    ("What thin component keeps the two electrodes apart?", "a thin porous separator"),
                    (
                        "Why have these batteries taken over in phones and electric vehicles?",
                        "store much more energy for their weight than older nickel or lead-based types",
                    ),
                ],
            ),
            (
                "Lithium-ion cells gradually lose capacity as they age. Each charge and discharge causes small chemical and physical changes, including the growth of a thin layer on the graphite surface that traps some lithium permanently. Capacity fades faster when a battery is kept at full charge in hot conditions, so many devices now stop charging at around 80 percent when they will be left plugged in. If a cell is damaged or overheated, it can enter thermal runaway, a chain reaction in which rising temperature triggers reactions that release even more heat, sometimes leading to fire.",
                [
                    ("Under what conditions does a battery wear out fastest?", "kept at full charge in hot conditions"),
                    ("At what charge level do some gadgets halt charging when left connected?", "around 80 percent"),
                    ("What is the self-feeding heating process that can cause a battery fire?", "thermal runaway"),
                ],
            ),
        ],
    ),
    (
        "Cheesemaking",
        [
            (
                "Most cheese is made by curdling milk with a combination of bacteria and an enzyme called rennet. The bacteria, known as starter cultures, convert the milk sugar lactose into lactic acid, while the rennet causes the milk protein casein to clump together into a soft gel. The gel is cut into small pieces, called curds, which are stirred and gently heated so that they release a yellowish liquid known as whey. The smaller the curds are cut and the longer they are heated, the more whey is expelled and the harder the finished cheese will be.",
                [
                    ("Which enzyme makes the milk protein coagulate?", "rennet"),
                    ("Into what do the starter bacteria turn milk sugar?", "lactic acid"),
                    ("What is the pale liquid that drains from the curds called?", "whey"),
                ],
            ),
            (
                "After the curds have been drained, salted and pressed into moulds, many cheeses are left to ripen for weeks, months or even years in cool, humid rooms. During this ageing period, enzymes and microbes break down proteins and fats, creating the complex flavours and textures of mature cheese. Some cheeses are deliberately given extra microorganisms: blue cheeses are pierced with needles so that air can reach mould growing inside, and washed-rind cheeses are rubbed with brine, which encourages bacteria that give them a strong smell and an orange surface.",
                [
                    ("In what sort of rooms are cheeses matured?", "cool, humid rooms"),
                    ("Why are holes poked in blue cheeses?", "so that air can reach mould growing inside"),
                    ("What are washed-rind cheeses regularly wiped with?", "brine"),
                ],
            ),
        ],
    ),
    (
        "Pipe Organ",
        [
            (
                "The pipe organ produces sound by sending pressurised air, called wind, through rows of pipes selected by the player from one or more keyboards. Each pipe sounds only one pitch, so a large instrument may contain thousands of pipes, ranging from the size of a pencil to more than ten metres long. The player chooses which sets of pipes, known as ranks, will sound by pulling knobs called stops, and plays the lowest notes with the feet on a pedal keyboard. Before electric blowers were introduced, assistants had to pump the bellows by hand or foot throughout every service or concert.",
                [
                    ("What do organ builders call the pressurised air that makes the pipes sound?", "wind"),
                    ("What are the knobs that switch sets of pipes on and off called?", "stops"),
                    ("What is a single set of organ pipes known as?", "ranks"),
                    ("Who kept the bellows working before electric fans existed?", "assistants"),
                ],
            ),
        ],
    ),
    (
        "Desert",
        [
            (
                "A desert is usually defined as a region that receives less than 250 millimetres of precipitation a year. Contrary to the popular image, not all deserts are hot or sandy. The largest desert in the world is in fact Antarctica, where very little snow falls, and only about a fifth of the Sahara is covered by sand dunes; much of the rest consists of gravel plains and bare rock plateaus. Many hot deserts lie at around 30 degrees north or south of the equator, where dry air descending from the upper atmosphere suppresses cloud formation.",
                [
                    ("What yearly rainfall threshold is used to define a desert?", "less than 250 millimetres"),
                    ("Which is the biggest desert on Earth?", "Antarctica"),
                    ("What fraction of the Sahara consists of dunes?", "about a fifth"),
                    (
                        "Why do many hot deserts occur around thirty degrees of latitude?",
                        "dry air descending from the upper atmosphere suppresses cloud formation",
                    ),
                ],
            ),
            (
                "Desert plants and animals have developed many ways of coping with heat and scarce water. Cacti store water in thick, fleshy stems and have spines instead of leaves, reducing the surface from which water can evaporate. Some seeds lie dormant in the soil for years until a heavy rain, then sprout, flower and set seed within a few weeks. Many desert animals are active only at night, spending the hot day in burrows, and the kangaroo rat of North America can survive without ever drinking, obtaining all the water it needs from the seeds it eats.",
                [
                    ("In which part of the plant do cacti keep their water?", "thick, fleshy stems"),
                    (
                        "What advantage do spines give cacti over leaves?",
                        "reducing the surface from which water can evaporate",
                    ),
                    ("Which North American rodent never needs to drink?", "the kangaroo rat"),
                ],
            ),
        ],
    ),
    (
        "Bridge",
        [
            (
                "Bridges are built in a few basic forms, each carrying its load in a different way. A beam bridge is the simplest: a rigid horizontal deck rests on supports at each end, and the deck bends slightly under weight. An arch bridge carries its load outward along a curve into the abutments at either end, putting the material mainly in compression, which is why stone and brick, which are strong when squeezed but weak when stretched, were used for arches for thousands of years.",
                [
                    ("What is the most basic type of bridge?", "beam bridge"),
                    ("Where does an arch send the weight it carries?", "into the abutments at either end"),
                    ("Why were masonry materials suitable for arches?", "strong when squeezed but weak when stretched"),
                ],
            ),
            (
                "For the longest spans engineers turn to suspension bridges. In this design two or more tall towers support main cables that run the whole length of the bridge and are anchored into massive blocks of concrete or rock at each end, called anchorages. Vertical cables known as hangers drop from the main cables to hold up the deck. Because steel wire is extremely strong in tension, a suspension bridge can span well over a kilometre between its towers, far more than any beam or arch. The main cables are not single rods but bundles of thousands of individual galvanised wires, which are spun in place by a wheel that travels back and forth across the span, laying one or two wires at a time before the bundle is compacted and wrapped. Early suspension bridges suffered from a serious weakness: their light, flexible decks could be set swaying by the wind. The most famous example was a bridge in the United States that twisted itself apart in a moderate wind in 1940, only four months after opening. Investigations showed that the shape of its shallow, solid deck allowed the wind to feed energy into the twisting motion, a phenomenon now called aeroelastic flutter. Since then, designs for long bridges have been tested in wind tunnels before construction, and modern decks are often shaped like the wing of an aircraft or are built as open trusses that let the air pass through. A related design, the cable-stayed bridge, does away with the main cables and connects the deck directly to the towers with straight diagonal cables arranged in fan or harp patterns. Cable-stayed bridges are generally cheaper and quicker to build for medium spans, and they have become one of the most common choices for new river and harbour crossings around the world.",
                [
                    ("What are the huge blocks that secure the ends of the main cables called?", "anchorages"),
                    ("What name is given to the vertical cables that support the roadway?", "hangers"),
                    (
                        "How are the individual wires of a main cable put in place?",
                        "spun in place by a wheel that travels back and forth across the span",
                    ),
                    ("What is the wind-driven twisting that destroyed a bridge in 1940 called?", "aeroelastic flutter"),
                    ("How long had the bridge that failed in 1940 been open?", "four months"),
                    (
                        "How is the roadway held up in a cable-stayed design?",
                        "directly to the towers with straight diagonal cables",
                    ),
                ],
            ),
            (
                "Bridge maintenance is a constant task. Steel must be repainted regularly to prevent rust, and on some very large bridges painting crews work continuously, starting again at one end as soon as they have finished at the other. Engineers inspect bearings, joints and cables for wear, and many modern bridges carry networks of sensors that record strain, vibration and temperature so that problems can be detected early. Salt spread on roads in winter is a major enemy of concrete bridges, because it seeps in and corrodes the steel reinforcing bars inside.",
                [
                    ("Why do steel bridges need frequent repainting?", "to prevent rust"),
                    ("What quantities do monitoring sensors on bridges record?", "strain, vibration and temperature"),
                    (
                        "How does winter road salt damage concrete structures?",
                        "it seeps in and corrodes the steel reinforcing bars inside",
                    ),
                ],
            ),
        ],
    ),
    (
        "Sea Turtle",
        [
            (
                "Sea turtles are reptiles that spend almost their entire lives in the ocean, coming ashore only when females lay eggs. Seven species are recognised, ranging from the small Kemp's ridley to the leatherback, which can weigh more than 600 kilograms and dive deeper than a thousand metres in search of jellyfish. Unlike land tortoises, sea turtles cannot pull their heads or flippers inside their shells, and their front limbs have evolved into long paddles for swimming.",
                [
                    ("How many kinds of sea turtle are recognised?", "Seven"),
                    ("What prey does the leatherback pursue on its deep dives?", "jellyfish"),
                    (
                        "What can land tortoises do that sea turtles cannot?",
                        "pull their heads or flippers inside their shells",
                    ),
                ],
            ),
            (
                "Female sea turtles often return to nest on the same beach where they themselves hatched, sometimes after travelling thousands of kilometres. At night a female digs a pit in the sand with her back flippers, lays around a hundred eggs and covers them before returning to the sea. The temperature of the sand decides the sex of the hatchlings: warmer nests produce mostly females and cooler nests mostly males. After about two months the young turtles dig their way out and head for the brightest horizon, which on a natural beach is the sea; artificial lights from buildings can lure them inland instead.",
                [
                    ("Where do female turtles tend to lay their eggs?", "the same beach where they themselves hatched"),
                    ("How many eggs does a female deposit in one nest?", "around a hundred eggs"),
                    ("What determines whether hatchlings are male or female?", "The temperature of the sand"),
                ],
            ),
        ],
    ),
    (
        "Greywater Observatory",
        [
            (
                "The Greywater Observatory is an astronomical observatory on the summit of Greywater Fell, a treeless upland about forty kilometres from the nearest city. It was founded in 1894 by the amateur astronomer and brewery owner Henry Ashdown, who chose the site because the high moorland was often above the valley fog and far from the smoke of industrial towns. Its first instrument, a refracting telescope with a lens 38 centimetres across, was housed in a copper dome that turned on iron cannonballs used as bearings.",
                [
                    ("Which brewer established the observatory?", "Henry Ashdown"),
                    (
                        "Why was the high moor chosen as the location?",
                        "the high moorland was often above the valley fog and far from the smoke of industrial towns",
                    ),
                    ("What was the diameter of the original telescope's lens?", "38 centimetres"),
                    ("What did the rotating dome roll on?", "iron cannonballs"),
                ],
            ),
            (
                "Astronomers at Greywater became known in the early twentieth century for their careful measurements of variable stars, whose brightness rises and falls over days or weeks. Margaret Ashdown, the founder's daughter, compiled a catalogue of more than four hundred such stars between 1908 and 1931, working through the night and calculating their periods by hand. Her catalogue remained a standard reference for decades, and a small crater on the Moon was later named in her honour.",
                [
                    ("What type of star was the observatory's staff famous for measuring?", "variable stars"),
                    ("How many entries did the founder's daughter list in her catalogue?", "more than four hundred"),
                    ("What astronomical feature bears her name?", "a small crater on the Moon"),
                ],
            ),
            (
                "Light from growing towns gradually made the sky above Greywater too bright for serious research, and the observatory's professional work ended in 1974. It was taken over by a charitable trust and is now a public observatory and dark-sky education centre. Visitors can look through the original refractor on clear Friday evenings, and a planetarium built in the former workshop runs shows for school groups. The surrounding moorland was declared a dark-sky reserve in 2016, restricting new outdoor lighting within fifteen kilometres.",
                [
                    ("What brought scientific observing at Greywater to an end?", "Light from growing towns"),
                    ("When may members of the public use the historic telescope?", "on clear Friday evenings"),
                    ("What now occupies the old workshop?", "a planetarium"),
                    ("Within what distance are new outdoor lights restricted?", "fifteen kilometres"),
                ],
            ),
        ],
    ),
    (
        "Saffron",
        [
            (
                "Saffron is a spice made from the dried stigmas of the saffron crocus, a purple flower that blooms in autumn. Each flower has only three thread-like red stigmas, which must be picked by hand on the morning the flower opens, and about 150,000 flowers are needed to produce a single kilogram of dried spice. This labour-intensive harvest makes saffron one of the most expensive spices in the world by weight. Most of the world's supply today comes from Iran.",
                [
                    ("Which part of the crocus flower becomes the spice?", "the dried stigmas"),
                    ("How many blossoms does it take to make a kilo of the spice?", "about 150,000 flowers"),
                    ("Which country grows most of the world's saffron?", "Iran"),
                ],
            ),
            (
                "In the kitchen saffron is valued for its golden colour, honey-like aroma and slightly bitter taste. It is an essential ingredient in Spanish paella, the Milanese version of risotto and many Persian rice dishes, as well as in some breads and cakes. Cooks usually soak a few threads in warm water or milk for some minutes before adding them to a dish, which helps to release the colour evenly. Because it is so costly, saffron has often been faked, sometimes with dyed safflower petals or even strands of corn silk.",
                [
                    ("Which Spanish rice dish depends on saffron?", "paella"),
                    (
                        "How do cooks usually prepare the threads before use?",
                        "soak a few threads in warm water or milk for some minutes",
                    ),
                    (
                        "What materials have been passed off as saffron?",
                        "dyed safflower petals or even strands of corn silk",
                    ),
                ],
            ),
        ],
    ),
    (
        "Internet Routing",
        [
            (
                "Data sent across the internet is broken into small units called packets, each carrying the address of its destination. Devices called routers pass packets from one network to another, consulting a routing table to decide which neighbouring router should receive each packet next. Packets belonging to the same message may travel by different paths and arrive out of order; the receiving computer uses sequence numbers to put them back together. If a link fails, routers can usually find an alternative path within seconds, which makes the network resilient.",
                [
                    ("Into what small pieces is information split for transmission online?", "packets"),
                    ("What does a router look up to choose where to forward data?", "a routing table"),
                    (
                        "How does the destination computer restore the original order of the data?",
                        "uses sequence numbers",
                    ),
                ],
            ),
            (
                "The internet is made up of tens of thousands of independently managed networks, called autonomous systems, run by internet providers, universities, companies and governments. These networks exchange information about which addresses they can reach using the Border Gateway Protocol, usually shortened to BGP. Because BGP was designed at a time when network operators largely trusted one another, a misconfigured router can accidentally announce routes it does not really have, drawing traffic away from its proper destination and sometimes causing large websites to become unreachable for hours.",
                [
                    ("What are the separately run networks that make up the internet called?", "autonomous systems"),
                    (
                        "Which protocol do these networks use to advertise reachable addresses?",
                        "the Border Gateway Protocol",
                    ),
                    (
                        "What mistake by a badly set-up router can make big sites disappear?",
                        "announce routes it does not really have",
                    ),
                ],
            ),
        ],
    ),
    (
        "Owl",
        [
            (
                "Owls are birds of prey that mostly hunt at night. Their large, forward-facing eyes give them excellent depth perception and vision in dim light, but the eyes are fixed in their sockets, so an owl must turn its whole head to look around; some species can rotate the head through about 270 degrees. Many owls find prey largely by sound. In the barn owl, one ear opening sits higher on the head than the other, allowing the bird to pinpoint the position of a mouse rustling under leaves or snow.",
                [
                    ("How far can certain owls swivel their heads?", "about 270 degrees"),
                    ("Why does an owl have to move its head to look sideways?", "the eyes are fixed in their sockets"),
                    (
                        "What unusual ear arrangement helps the barn owl locate hidden prey?",
                        "one ear opening sits higher on the head than the other",
                    ),
                ],
            ),
            (
                "Owls are able to fly almost silently, which lets them approach prey without being heard. The leading edges of their main flight feathers are fringed with tiny comb-like serrations that break up the flow of air, and the soft, velvety surface of the feathers muffles the sound of the wings. After eating, owls cough up compact pellets containing the bones, fur and feathers of their prey that they could not digest. Scientists collect these pellets to learn what owls eat and which small mammals live in an area.",
                [
                    (
                        "What feature on the edge of the wing feathers disrupts the airflow?",
                        "tiny comb-like serrations",
                    ),
                    ("What is found inside the pellets owls bring up?", "the bones, fur and feathers of their prey"),
                    (
                        "What do researchers hope to discover by studying pellets?",
                        "what owls eat and which small mammals live in an area",
                    ),
                ],
            ),
        ],
    ),
    (
        "Rowing",
        [
            (
                "Competitive rowing takes place in long, narrow boats called shells, in which rowers sit facing backwards and drive the boat with oars. In sweep rowing each rower holds a single oar with both hands, while in sculling each athlete uses two smaller oars, one in each hand. Boats carry one, two, four or eight rowers. The eight is the fastest boat and always carries a coxswain, a small crew member who sits facing forward, steers with a rudder and calls out instructions to keep the crew in rhythm.",
                [
                    ("What are racing rowing boats called?", "shells"),
                    ("In which form of the sport does each rower handle a pair of oars?", "sculling"),
                    ("Which crew member steers the boat and calls the rhythm?", "a coxswain"),
                ],
            ),
            (
                "The rowing stroke is often misunderstood as an arm exercise, but most of the power comes from the legs. At the start of the stroke, called the catch, the rower is compressed at the front of a sliding seat with the oar blade placed in the water. The rower then pushes with the legs, swings the upper body back and finally draws the handle in with the arms. Once the blade leaves the water at the finish, the rower slides forward again to prepare for the next stroke. Olympic races are held over a straight course of 2,000 metres.",
                [
                    ("Which part of the body supplies most of a rower's power?", "the legs"),
                    ("What is the moment the blade enters the water called?", "the catch"),
                    ("Over what distance are Olympic rowing races contested?", "2,000 metres"),
                ],
            ),
        ],
    ),
    (
        "Windmills of the Fenmark",
        [
            (
                "The Fenmark is a low, flat region of reclaimed marshland famous for the windmills that once kept it dry. Much of the land lies below the level of the nearby sea, and without constant pumping it would quickly return to swamp. From the sixteenth century onward, landowners formed drainage boards that built rows of windmills along the dykes. Each mill turned a large scoop wheel that lifted water from a lower ditch into a higher channel, and chains of mills worked together to raise water in steps until it could flow out to the sea.",
                [
                    (
                        "Why would the Fenmark turn back into marsh without pumping?",
                        "Much of the land lies below the level of the nearby sea",
                    ),
                    ("What bodies did landowners set up to build the mills?", "drainage boards"),
                    ("What device did each mill drive to raise water?", "a large scoop wheel"),
                ],
            ),
            (
                "Life as a Fenmark miller was demanding. Mills had to run whenever there was wind, day or night, and the miller and his family usually lived in the mill itself, in small rooms on the lower floors. The miller set the angle of the sails to the wind by turning the whole cap of the mill with a long tail pole, and reefed the canvas sail cloths when the wind grew too strong. Millers also used the position of the sails to signal to neighbours: sails stopped in a cross shape meant a short rest, while sails set at a slant just before the vertical announced a celebration such as a wedding.",
                [
                    ("Where did millers and their families normally live?", "in the mill itself"),
                    ("How did the miller turn the top of the mill into the wind?", "with a long tail pole"),
                    (
                        "What did sails parked slightly short of upright tell the neighbours?",
                        "a celebration such as a wedding",
                    ),
                ],
            ),
            (
                "Steam pumping stations began replacing the windmills in the 1850s, and electric pumps took over in the twentieth century. Of roughly six hundred drainage mills that once stood in the Fenmark, only twenty-eight survive. The best-preserved group, at Haverdyke Polder, consists of eleven mills along a single dyke and is maintained by volunteer millers who keep them in working order. On national mill days the sails are set turning and visitors may climb inside to see the machinery.",
                [
                    ("What technology first took over from the wind-driven pumps?", "Steam pumping stations"),
                    ("How many of the region's drainage mills are still standing?", "twenty-eight"),
                    ("Where can the finest surviving row of mills be seen?", "Haverdyke Polder"),
                    ("Who keeps the preserved mills running?", "volunteer millers"),
                ],
            ),
        ],
    ),
    (
        "Dumpling",
        [
            (
                "Dumplings, pieces of dough wrapped around a filling or cooked on their own, appear in the cuisines of almost every part of the world. In northern China, crescent-shaped jiaozi filled with pork and cabbage are traditionally made by whole families on the eve of the lunar new year, and a coin is sometimes hidden in one of them to bring luck to the person who finds it. Poland has pierogi, often filled with potato and cheese, while in Nepal and Tibet steamed momo are served with a spicy tomato sauce.",
                [
                    (
                        "On what occasion do Chinese families traditionally make jiaozi together?",
                        "on the eve of the lunar new year",
                    ),
                    ("What lucky object is sometimes concealed in a dumpling?", "a coin"),
                    ("What is a usual filling for Polish pierogi?", "potato and cheese"),
                    ("What accompanies momo in Nepal and Tibet?", "a spicy tomato sauce"),
                ],
            ),
            (
                "The texture of a dumpling depends largely on its wrapper and how it is cooked. Wrappers made from wheat flour and cold water stay firm and chewy when boiled, while those made with hot water are softer and better suited to steaming. Potstickers are first fried on one side in a little oil until crisp and golden, then water is added and the pan is covered so that the steam finishes cooking the filling. Sealing the edges carefully is important, since any gap lets water in and the filling's juices out.",
                [
                    ("Which kind of wrapper dough works best for steamed dumplings?", "those made with hot water"),
                    (
                        "What happens after potstickers have browned on one side?",
                        "then water is added and the pan is covered",
                    ),
                    (
                        "Why must the edges of a dumpling be closed tightly?",
                        "any gap lets water in and the filling's juices out",
                    ),
                ],
            ),
        ],
    ),
    (
        "River Almund",
        [
            (
                "The Almund is a river that rises in the peat bogs of the Corrie Moors and flows for about 180 kilometres to the sea at the town of Almouth. Its upper course is fast and rocky, dropping through a narrow gorge known as the Devil's Throat, where the river has cut down more than sixty metres into sandstone. Below the gorge the valley widens, and the river meanders slowly through farmland, forming oxbow lakes where old loops have been cut off.",
                [
                    ("Where is the source of the Almund?", "the peat bogs of the Corrie Moors"),
                    ("What is the narrow ravine on the upper river called?", "the Devil's Throat"),
                    ("What is the total length of the river?", "about 180 kilometres"),
                    ("What features form when the river's bends are abandoned?", "oxbow lakes"),
                ],
            ),
            (
                "The Almund is known for its salmon, which return from the sea each autumn to spawn in the gravel beds of the upper river. In the nineteenth century, weirs built to power mills blocked the fish from their breeding grounds, and the salmon run almost disappeared. Since 1990, a conservation programme has removed three weirs and built fish passes, stepped channels that allow salmon to leap past the remaining barriers. Counts at the Almouth fish counter now record several thousand returning salmon in good years.",
                [
                    ("Where do the river's salmon lay their eggs?", "the gravel beds of the upper river"),
                    (
                        "What kept the fish from reaching their spawning grounds in the 1800s?",
                        "weirs built to power mills",
                    ),
                    ("What are fish passes?", "stepped channels that allow salmon to leap past the remaining barriers"),
                ],
            ),
            (
                "Floods have shaped life along the lower Almund. The worst recorded flood, in January 1873, followed a sudden thaw of heavy snow combined with several days of rain, and the river rose more than five metres above its normal level at Almouth. Marks on the wall of the old customs house still show the height reached by the water. Modern defences include earth embankments along the lower valley and a washland near the village of Esk Ferry, a stretch of meadow that is allowed to flood in order to store excess water and protect the town downstream.",
                [
                    (
                        "What combination of events caused the great flood of 1873?",
                        "a sudden thaw of heavy snow combined with several days of rain",
                    ),
                    ("Where can the 1873 water level still be seen?", "on the wall of the old customs house"),
                    (
                        "Why is the meadow near Esk Ferry deliberately flooded?",
                        "to store excess water and protect the town downstream",
                    ),
                ],
            ),
        ],
    ),
    (
        "Smartphone Camera",
        [
            (
                "Smartphone cameras must fit into a body less than a centimetre thick, which limits the size of both the lens and the image sensor. A small sensor collects less light than the larger sensors used in dedicated cameras, so photos taken in dim conditions tend to be noisy and grainy. To compensate, many phones carry several cameras with different focal lengths, such as wide-angle and telephoto, and switch between them as the user zooms.",
                [
                    (
                        "What physical constraint restricts the size of phone lenses and sensors?",
                        "a body less than a centimetre thick",
                    ),
                    ("Why do phone pictures taken in low light look grainy?", "A small sensor collects less light"),
                    ("In what respect do the multiple cameras on a phone differ?", "different focal lengths"),
                ],
            ),
            (
                "Much of the quality of modern phone photos comes from software rather than optics, an approach often called computational photography. When the shutter button is pressed, the phone may actually capture a rapid burst of frames and merge them, aligning the images to cancel out hand shake and averaging them to reduce noise. Combining frames taken at different exposures lets the phone keep detail in both bright skies and dark shadows, a technique known as high dynamic range imaging. Portrait modes use depth estimates to blur the background artificially, imitating the look of a large lens.",
                [
                    (
                        "What is the software-driven approach to improving phone images called?",
                        "computational photography",
                    ),
                    ("What does the phone record when the user takes a single picture?", "a rapid burst of frames"),
                    (
                        "Which technique preserves detail in both highlights and dark areas?",
                        "high dynamic range imaging",
                    ),
                    ("What information do portrait modes rely on to blur the background?", "depth estimates"),
                ],
            ),
        ],
    ),
]

# ---------------------------------------------------------------------------
# Distractor paragraphs 1-40 (no questions; several are deliberately close in
# topic to a question paragraph so that retrieval has hard negatives)
# ---------------------------------------------------------------------------
DISTRACTORS += [
    (
        "Knitting",
        "Knitting turns a single continuous strand of yarn into fabric by pulling loops through other loops with a pair of needles. The two basic stitches, knit and purl, are mirror images of each other, and combining them in different orders produces ribbing, cables and textured patterns. Because knitted fabric is made of interlocking loops, it stretches far more than woven cloth, which is why it is favoured for socks, jumpers and hats. Circular needles joined by a flexible cable allow seamless tubes to be knitted in the round.",
    ),
    (
        "Kite Flying",
        "A kite stays aloft because wind flowing over its tilted surface produces lift, while the line holding it creates the tension needed to keep it at the right angle. Simple diamond kites need a tail for stability, but box kites and delta kites can fly steadily without one. In several countries kite festivals are held in spring, when steady breezes return, and competitive fighters coat their lines with abrasive paste in order to cut down rival kites. Flying near power lines or airports is dangerous and often forbidden.",
    ),
    (
        "Stamp Collecting",
        "Stamp collecting, or philately, became a popular hobby soon after adhesive postage stamps were introduced in the middle of the nineteenth century. Collectors often specialise in a single country, a theme such as birds or ships, or the history of postal routes. Small printing mistakes, such as an inverted picture or a missing colour, can make a stamp extremely valuable because only a few copies escaped before the error was noticed. Stamps are handled with flat-tipped tweezers and stored in albums with protective transparent strips.",
    ),
    (
        "Lake Sorrin",
        "Lake Sorrin is a shallow, reed-fringed lake in a broad lowland basin, rarely more than four metres deep. Because it warms quickly in spring, it supports large beds of water lilies and is an important resting place for migrating ducks and geese. A dyke built along its eastern shore in the nineteenth century reduced flooding of the neighbouring fields, and a bird observatory on a wooden platform now overlooks the northern marshes. In dry summers blue-green algae sometimes bloom across the lake, and swimming is then discouraged.",
    ),
    (
        "Rye Bread",
        "Rye bread is baked from flour milled from rye grain, a cereal that grows well in cold climates and poor soils where wheat struggles. Rye contains little of the gluten-forming protein that gives wheat dough its elasticity, so rye loaves are dense and moist rather than light and open. Dark rye breads are often flavoured with caraway seeds or sweetened with malt or molasses, and some traditional loaves are baked slowly for many hours at a low temperature, giving them a deep brown colour and a long shelf life.",
    ),
    (
        "Badminton",
        "Badminton is played with light rackets and a shuttlecock, a cone of sixteen overlapping feathers fixed into a rounded cork base. The shuttle's shape creates high drag, so it slows down sharply after being struck, which allows both delicate drop shots near the net and powerful smashes that leave the racket at tremendous speed. Matches are played to twenty-one points per game, and the sport is especially popular in East and Southeast Asia, where top players are national celebrities.",
    ),
    (
        "Harpsichord",
        "The harpsichord was the leading keyboard instrument of the sixteenth to eighteenth centuries. When a key is pressed, a wooden jack rises and a small quill or leather plectrum plucks the string, giving a bright, crisp sound that fades quickly. Because the force of the touch hardly changes the volume, harpsichord makers added extra sets of strings and a second keyboard so that players could contrast louder and softer passages. Interest in the instrument revived in the twentieth century as musicians sought to perform early music on period instruments.",
    ),
    (
        "Earthquake",
        "An earthquake is the sudden shaking of the ground caused by the release of stress that has built up along a fault, a fracture in the rock where two blocks can slip past each other. The point underground where slipping starts is called the hypocentre, and the point on the surface directly above it is the epicentre. Seismometers record the waves spreading out from the rupture, and the size of an earthquake is expressed on a magnitude scale in which each whole step corresponds to roughly thirty-two times more energy.",
    ),
    (
        "Wendle Navigation",
        "The Wendle Navigation is a river navigation rather than a true canal: instead of cutting a new channel, its builders deepened the natural course of the River Wendle and added short cuts and locks to bypass shallows and mill weirs. Opened in stages during the 1760s, it allowed barges carrying grain and building stone to reach the market town of Ashby Cross. Sailing barges with tall brown sails worked the river until the 1920s, and one of them has been restored and offers trips in summer.",
    ),
    (
        "Squid",
        "Squid are fast-swimming relatives of octopuses with ten limbs: eight arms and two longer tentacles tipped with suckers, used to seize prey. They move by jet propulsion, drawing water into a muscular body cavity and forcing it out through a funnel, and can change direction by pointing the funnel. Many species change colour in a fraction of a second using skin cells filled with pigment. The giant squid, which lives in the deep ocean, was known mainly from carcasses washed ashore until the first photographs of a living one were taken in 2004.",
    ),
    (
        "Linker",
        "A linker is a program that combines separately compiled pieces of code, called object files, into a single executable or library. Each object file contains machine code along with a list of the names it defines and the names it needs from elsewhere. The linker matches these references, assigns final memory addresses and patches every instruction that refers to an external function or variable. With dynamic linking, some of this work is postponed until the program starts, so that shared libraries can be updated without rebuilding every application that uses them.",
    ),
    (
        "Herbal Infusion",
        "A herbal infusion, sometimes called a tisane, is a drink made by steeping flowers, leaves, roots or fruit of plants other than the tea shrub in hot water. Popular examples include chamomile, peppermint, rooibos from South Africa and hibiscus, which produces a deep red, tart drink. Because they contain no leaves of the tea plant, most of these infusions are naturally free of caffeine and are often drunk in the evening. Many cultures have long traditions of using particular herbs as home remedies for colds or poor digestion.",
    ),
    (
        "Triathlon",
        "A triathlon is an endurance race in which competitors swim, cycle and run in immediate succession. The changes between disciplines take place in a fenced area called the transition, where athletes leave their bicycles and shoes, and the time spent there counts towards the final result. The Olympic distance consists of a 1.5-kilometre swim, a 40-kilometre ride and a 10-kilometre run, while the longest popular format combines a 3.8-kilometre swim and a 180-kilometre ride with a full-length run.",
    ),
    (
        "Giant Panda",
        "The giant panda is a black-and-white bear found only in a few mountain ranges of central China, where it lives in cool, damp bamboo forests. Bamboo is so low in nutrients that an adult must eat for up to fourteen hours a day, consuming a large fraction of its body weight. Newborn cubs are tiny, pink and almost hairless, weighing about as much as a small apple. Conservation efforts, including the creation of reserves and bamboo corridors between forests, have helped the wild population to grow in recent decades.",
    ),
    (
        "Vassby",
        "Vassby is a small island community at the mouth of a northern fjord, reached by a ferry that runs four times a day in summer and twice in winter. Most of its two hundred residents work in salmon farming, in the fish processing plant or in a small boatyard that repairs wooden fishing boats. The island's white-painted church, built in 1889 after a storm destroyed its predecessor, is used as a landmark by sailors entering the fjord. A footpath leads across the moor to a sea cliff where puffins nest in early summer.",
    ),
    (
        "Lunar Eclipse",
        "A lunar eclipse occurs when the Earth passes directly between the Sun and a full Moon, so that the Earth's shadow falls across the lunar surface. Unlike a solar eclipse, it can be seen safely with the naked eye from anywhere on the night side of the planet. During totality the Moon rarely disappears completely; instead it usually turns a coppery red, because sunlight bent through the Earth's atmosphere still reaches it after the blue light has been scattered away. A total lunar eclipse can last well over an hour.",
    ),
    (
        "Sauerkraut",
        "Sauerkraut is finely shredded white cabbage preserved by lactic acid fermentation. The cabbage is mixed with salt and packed tightly into a crock or jar, where the salt draws out juice that soon covers the vegetables and keeps out air. Over several weeks at cool room temperature, bacteria convert the sugars into acid, giving the cabbage its sour flavour and allowing it to keep for months. It is a traditional accompaniment to sausages and pork in central European cooking, and is sometimes flavoured with juniper berries or caraway.",
    ),
    (
        "Cello",
        "The cello is a large bowed string instrument played seated, with the body resting between the player's knees and a metal endpin supporting it on the floor. Its four strings are tuned an octave below those of the viola, and its range covers the pitch of the adult male voice, which is often said to give it a particularly warm, singing tone. In an orchestra the cellos frequently carry the bass line together with the double basses, but composers have also written many solo suites, sonatas and concertos for the instrument.",
    ),
    (
        "Iceberg",
        "An iceberg is a large piece of freshwater ice that has broken off the front of a glacier or an ice shelf and floats in open water, a process called calving. Because ice is only slightly less dense than seawater, roughly nine tenths of an iceberg's volume lies hidden beneath the surface. Icebergs drifting into shipping lanes in the North Atlantic have long been a hazard, and an international patrol has tracked them each spring since the early twentieth century. Small, low fragments are known as growlers and are especially difficult to spot by radar.",
    ),
    (
        "Password Hashing",
        "Well-designed websites never store users' passwords directly. Instead, they store the output of a one-way hash function applied to the password, so that even someone who steals the database cannot simply read the passwords. A random value called a salt is added to each password before hashing, which ensures that two users with the same password get different stored results. Modern password hashing functions are deliberately slow and memory-hungry, making it expensive for an attacker to test billions of guesses.",
    ),
    (
        "Go (Board Game)",
        "Go is a strategy game for two players, who take turns placing black and white stones on the intersections of a grid, usually of nineteen by nineteen lines. Stones do not move once placed, but a group of stones that is completely surrounded by the opponent is captured and removed. The aim is to control more of the board than the opponent by the end of the game. Despite its simple rules, Go is famously deep, and computer programs only began defeating top professional players in the middle of the 2010s.",
    ),
    (
        "Mount Elder",
        "Mount Elder is a rounded, grassy mountain whose gentle slopes make it one of the most frequently climbed summits in the coastal hills. A cairn of piled stones marks the top, and on clear days the view extends across the bay to the offshore islands. The most popular path starts from a car park beside a forestry plantation and takes about three hours up and back. In spring the lower slopes are covered with bluebells, and skylarks sing above the open moorland near the summit.",
    ),
    (
        "Buoys and Channel Markers",
        "Buoys are floating markers anchored to the sea bed to show sailors the edges of safe channels, hidden hazards and the approaches to harbours. Their shape, colour and top marks follow an international system, so a navigator can tell which side of a buoy to pass even in an unfamiliar port. Many buoys carry lights with distinctive flashing rhythms for use at night, and some are fitted with bells or whistles that sound as the waves rock them, warning ships in fog.",
    ),
    (
        "Cocoa",
        "Chocolate is made from the seeds of the cacao tree, which grows only in hot, humid regions within about twenty degrees of the equator. The seeds, found inside large ridged pods that grow directly from the trunk, are first fermented in heaps for several days, then dried in the sun and shipped to factories. There they are roasted, cracked and ground into a thick paste called cocoa liquor, which can be pressed to separate cocoa butter from cocoa powder or mixed with sugar and milk to make chocolate bars.",
    ),
    (
        "Funicular",
        "A funicular is a cable railway in which two counterbalanced cars are attached to opposite ends of the same cable, which runs over a large wheel at the top of the slope. As one car goes up, the other comes down, so the motor needs to supply only enough energy to overcome friction and the difference in passenger weight. Most funiculars have a single track with a short passing loop halfway along, where the two cars pass each other. They are often used to link a town centre with a hilltop or a clifftop promenade.",
    ),
    (
        "Skateboard",
        "The skateboard developed in California in the 1950s, when surfers fitted roller-skate wheels to wooden planks so that they could practise on land when the waves were flat. Early wheels made of clay or steel gave a rough ride, but the introduction of polyurethane wheels in the 1970s provided much better grip and smoothness, and riders began performing tricks in empty swimming pools. The ollie, a jump in which the rider pops the tail of the board against the ground to lift off, became the foundation of modern street skating.",
    ),
    (
        "Ocean Current",
        "Ocean currents are continuous, directed movements of seawater driven by winds, differences in temperature and salinity, and the rotation of the Earth. Surface currents form large circulating systems called gyres in each of the major ocean basins. Warm currents carry heat from the tropics towards the poles, which is why some coastal regions at high latitudes have much milder winters than inland areas at the same latitude. Deep below the surface, cold, salty water sinks near the poles and spreads slowly along the sea floor, completing a circulation that takes centuries.",
    ),
    (
        "Albatross",
        "Albatrosses are large seabirds with the longest wingspans of any living bird, reaching more than three metres in the wandering albatross. They spend most of their lives gliding over the open ocean, using a technique called dynamic soaring to gain energy from the difference in wind speed close to the waves and higher up, so that they can travel hundreds of kilometres a day with hardly a wingbeat. They come ashore only to breed on remote islands, and pairs often stay together for life.",
    ),
    (
        "Blues",
        "The blues is a musical form that grew out of the work songs, spirituals and field hollers of African American communities in the southern United States in the late nineteenth century. Many blues songs follow a twelve-bar pattern built on three chords, with lyrics in which a line is sung, repeated and then answered. Singers and guitarists bent notes to produce the so-called blue notes that fall between the pitches of the ordinary scale. The blues had an enormous influence on later popular music, including rock and roll and soul.",
    ),
    (
        "Geyser",
        "A geyser is a hot spring that periodically throws a column of boiling water and steam into the air. Geysers form where groundwater seeps down into rock heated by magma and collects in narrow channels. Because the water at the bottom is under pressure from the water above, it heats beyond its normal boiling point until some of it flashes into steam, pushing the water above out of the vent in an eruption. Only a few regions of the world have large numbers of active geysers, and their plumbing is easily damaged by human interference.",
    ),
    (
        "Kelsey Bridge",
        "Kelsey Bridge is a former iron-working town that grew up around a crossing of the River Cardle, where ironstone, charcoal and water power could all be found within a short distance. Its blast furnaces produced cast iron for cooking pots, railings and, later, railway chairs, and at its height in the 1860s the town had five furnaces working day and night. The last furnace closed in 1921. Its stone shell has been stabilised and forms the centrepiece of a heritage trail that follows the old tramways once used to bring ore from the hills.",
    ),
    (
        "Antibiotic",
        "Antibiotics are medicines that kill bacteria or stop them from multiplying, and they have made many once-deadly infections easily treatable. The first widely used antibiotic, penicillin, was discovered after a mould contaminating a laboratory dish was seen to prevent bacteria from growing around it. Antibiotics have no effect on viruses, so they do not help with colds or influenza. Overuse has allowed resistant strains of bacteria to spread, and doctors are now encouraged to prescribe these drugs only when they are truly needed.",
    ),
    (
        "Baseball",
        "Baseball is played between two teams of nine who take turns batting and fielding over nine innings. The pitcher throws the ball from a raised mound towards home plate, where a batter tries to hit it into the field and then run around four bases arranged in a diamond. Three strikes make an out, and after three outs the teams swap roles. A hit that clears the outfield fence is a home run, allowing the batter and any runners on base to score. The sport is especially popular in the United States, Japan, South Korea and the Caribbean.",
    ),
    (
        "Red Fox",
        "The red fox is the most widespread wild carnivore in the world, found across Europe, Asia, North America and North Africa and introduced to Australia. It is a flexible, opportunistic feeder, eating rodents, rabbits, birds, insects, fruit and food waste, which has allowed it to thrive in towns as well as in the countryside. When hunting mice under snow, a fox listens carefully and then leaps high into the air to pounce down on its prey. Foxes usually live in pairs or small family groups and raise their cubs in underground dens called earths.",
    ),
    (
        "Polenta",
        "Polenta is a porridge of coarsely ground cornmeal cooked in water or stock, traditional in the north of Italy, where maize became a staple crop after it was brought from the Americas. The cornmeal is poured slowly into simmering liquid while stirring to prevent lumps and then cooked for up to an hour until it thickens and pulls away from the sides of the pan. It can be served soft with butter and cheese or left to set, cut into slices and grilled or fried.",
    ),
    (
        "Spreadsheet",
        "A spreadsheet program arranges data in a grid of cells identified by column letters and row numbers. Each cell can hold a number, some text or a formula that calculates a value from other cells, and when any input changes, every dependent formula is recalculated automatically. This made spreadsheets one of the first applications that persuaded businesses to buy personal computers in the late 1970s and early 1980s. Today they are used for everything from household budgets to scientific data analysis, although large or shared data sets are better kept in a proper database.",
    ),
    (
        "Glassblowing",
        "Glassblowing is the craft of shaping molten glass by inflating it through a long metal tube called a blowpipe. The glassmaker gathers a glowing lump of glass from a furnace heated to over a thousand degrees, blows a bubble into it and then shapes it by rolling it on a flat steel table, swinging it and using wooden paddles and wet newspaper. The piece must be reheated frequently in a smaller furnace known as a glory hole. Finished objects are cooled slowly in an annealing oven to prevent cracking.",
    ),
    (
        "Mangrove",
        "Mangroves are trees and shrubs that grow in the salty, muddy tidal zones of tropical and subtropical coasts. Many species have arching stilt roots that hold them steady in soft mud, and some send up pencil-like breathing roots through the mud to take in air at low tide. Mangrove forests protect coastlines from storms and erosion, trap sediment, and provide sheltered nurseries for young fish and crabs. They also store large amounts of carbon in their waterlogged soils, yet large areas have been cleared for shrimp farms and coastal development.",
    ),
    (
        "Calligraphy",
        "Calligraphy is the art of decorative handwriting. In the Western tradition it is usually done with a broad-edged pen held at a constant angle, so that the thickness of each stroke changes with its direction. East Asian calligraphy uses a soft brush and ink ground from an ink stick on a stone, and the rhythm and pressure of each stroke are considered expressions of the writer's character. Islamic calligraphy developed many elaborate scripts and became a central decorative art on buildings, manuscripts and ceramics.",
    ),
    (
        "Paragliding",
        "A paraglider is a lightweight, foot-launched glider made of fabric, with no rigid frame. Air entering openings along the front edge inflates rows of cells, giving the wing its shape. Pilots take off by running down a slope into the wind and can stay aloft for hours by circling in thermals, columns of warm rising air, or by riding the lift where wind is deflected upward by a ridge. Experienced pilots have flown hundreds of kilometres in a single day, landing far from where they started.",
    ),
]

# ---------------------------------------------------------------------------
# Distractor paragraphs 41-80
# ---------------------------------------------------------------------------
DISTRACTORS += [
    (
        "Mars",
        "Mars is the fourth planet from the Sun, a cold desert world about half the diameter of the Earth. Its reddish colour comes from iron oxide dust covering much of the surface. Mars has the tallest known volcano in the solar system and a canyon system that would stretch across a continent on Earth. Dried river valleys and minerals that form only in water show that liquid water once flowed there, and robotic rovers continue to search its rocks for signs that simple life may once have existed.",
    ),
    (
        "Beekeeping",
        "Beekeepers house honeybee colonies in wooden hives made of stacked boxes containing removable frames, on which the bees build their wax comb. The frames can be lifted out one at a time to check the health of the colony and to harvest honey without destroying the nest. Before opening a hive, the beekeeper puffs cool smoke from a smoker at the entrance, which calms the bees. In late summer, full frames of capped honey are removed, the wax caps are sliced off and the honey is spun out in a centrifuge called an extractor.",
    ),
    (
        "Bumblebee",
        "Bumblebees are large, furry bees that live in small annual colonies, usually of a few dozen to a few hundred workers, nesting in old mouse burrows, grass tussocks or gaps in walls. Only the newly mated queens survive the winter, hibernating underground and founding new nests in spring. Bumblebees can fly in cooler weather than many other insects because they warm their flight muscles by shivering. They are important pollinators of crops such as tomatoes, and some flowers release their pollen only when vibrated by a bumblebee's rapid buzzing.",
    ),
    (
        "Hedgehog",
        "Hedgehogs are small, nocturnal mammals covered with several thousand sharp spines, which are modified hairs. When threatened, a hedgehog rolls into a tight ball using a ring of muscle along the edge of its back, so that only the spines are exposed. It feeds mainly on beetles, caterpillars, earthworms and slugs, snuffling through leaf litter and hedge bottoms at night. In cooler climates hedgehogs hibernate through the winter in nests of leaves, and gardeners are encouraged to leave small gaps in fences so that they can roam between gardens.",
    ),
    (
        "Papermaking",
        "Paper is made from a pulp of plant fibres suspended in water. In traditional hand papermaking, a worker dips a fine screen stretched on a wooden frame into a vat of pulp, lifts it out and shakes it so that the fibres settle and interlock as the water drains away. The wet sheet is turned out onto a felt, pressed to remove more water and hung up to dry. Modern paper mills carry out the same steps continuously on machines that can produce a sheet several metres wide moving faster than a car on a city street.",
    ),
    (
        "Table Tennis",
        "Table tennis is played on a hard table divided by a low net, using small paddles covered with rubber and a light plastic ball. The rubber surfaces allow players to impart heavy spin, making the ball dip, curve or kick unexpectedly after it bounces. Rallies can be extremely fast, and top players stand well back from the table to give themselves time to react. A game is won by the first player to reach eleven points with a margin of two, and matches are usually the best of five or seven games.",
    ),
    (
        "Fuel Cell",
        "A fuel cell produces electricity from a chemical reaction, much like a battery, but instead of storing its reactants inside it is continuously supplied with fuel, usually hydrogen, and with oxygen from the air. At one electrode hydrogen is split into protons and electrons; the protons pass through a membrane while the electrons travel through an external circuit, doing useful work before recombining with the protons and oxygen to form water. Fuel cells are used in some buses, forklifts and backup power systems, though producing hydrogen cleanly and cheaply remains a challenge.",
    ),
    (
        "Yoghurt",
        "Yoghurt is made by adding particular strains of bacteria to warm milk and keeping it at around forty degrees Celsius for several hours. The bacteria ferment lactose into lactic acid, which makes the milk proteins set into a smooth, thick gel and gives the yoghurt its tangy flavour. Straining away some of the liquid produces a thicker style, often called Greek or strained yoghurt. In many cuisines yoghurt is used in savoury dishes, for example in marinades for meat, in cold soups or mixed with cucumber and garlic as a sauce.",
    ),
    (
        "Accordion",
        "The accordion is a portable free-reed instrument in which the player squeezes and expands a folded bellows to push air across metal reeds. Buttons or piano-style keys on the right-hand side play the melody, while buttons on the left produce bass notes and ready-made chords. Because every reed sounds as long as air flows over it, the instrument can sustain notes much like an organ. The accordion became popular in the nineteenth century and is central to folk and dance music traditions across Europe and the Americas.",
    ),
    (
        "Salt Flat",
        "A salt flat is a wide, extremely level expanse of ground covered by a crust of salt and other minerals. Salt flats form where a lake in a dry basin with no outlet repeatedly fills with water and then evaporates, leaving dissolved minerals behind. Some are so flat that they are used to calibrate satellite instruments or as courses for land speed record attempts. After rain, a thin sheet of water can turn the surface into a vast mirror reflecting the sky, attracting photographers from around the world.",
    ),
    (
        "Tunnel",
        "Tunnels are built by several different methods depending on the ground. In hard rock, engineers traditionally drilled holes in the tunnel face, filled them with explosives and removed the broken rock after each blast. Today many tunnels are bored by tunnel boring machines, huge rotating cutting heads followed by a long train of equipment that lines the tunnel with curved concrete segments as it advances. Shallow city tunnels are often built by the cut-and-cover method, in which a trench is dug, the tunnel structure is built inside it and the ground is then restored above.",
    ),
    (
        "Coral Reef",
        "Coral reefs are built by colonies of tiny animals called polyps, which secrete skeletons of calcium carbonate that accumulate over thousands of years into massive structures. Most reef-building corals live in partnership with microscopic algae inside their tissues, which supply them with food through photosynthesis and give them their colours. When the water becomes too warm, the corals expel the algae and turn white, an event known as bleaching; if the heat lasts too long, the corals starve. Reefs cover a tiny part of the ocean floor but support roughly a quarter of all marine species.",
    ),
    (
        "Planetarium",
        "A planetarium is a theatre with a domed ceiling onto which images of the night sky are projected. Early planetarium projectors were elaborate mechanical devices with a lamp inside a perforated globe, surrounded by gears that moved images of the planets at the correct relative speeds. Modern planetariums mostly use digital projectors that can show not only the stars but also flights through the solar system or the structure of distant galaxies. Because the seats recline and the dome fills the whole field of view, audiences often feel as though they are floating in space.",
    ),
    (
        "Vanilla",
        "Vanilla comes from the seed pods of a climbing orchid originally native to Mexico. Outside its native range, the flowers have no natural pollinators, so on plantations each flower is pollinated by hand on the single morning it opens, using a thin stick to press the pollen into place. The green pods are then blanched, sweated in wooden boxes and dried slowly over several months, during which the characteristic flavour develops. The amount of labour involved makes vanilla the second most expensive spice after saffron.",
    ),
    (
        "Wi-Fi",
        "Wi-Fi is a family of standards for wireless local networks that let computers, phones and other devices exchange data by radio with a nearby access point. Most Wi-Fi equipment uses frequency bands around 2.4 and 5 gigahertz; the lower band travels farther and passes through walls more easily, while the higher band offers more channels and faster speeds. Newer versions add a 6-gigahertz band and allow an access point to talk to several devices at once. Thick walls, metal surfaces and interference from neighbouring networks can all reduce performance.",
    ),
    (
        "Bat",
        "Bats are the only mammals capable of true flight; their wings are formed by thin membranes of skin stretched between greatly elongated finger bones. Many insect-eating bats find their way and hunt in darkness by echolocation, emitting rapid high-pitched calls and listening to the echoes that bounce back from objects and prey. As a bat closes in on an insect, its calls speed up into a rapid buzz. Fruit bats, in contrast, mostly rely on keen eyesight and smell, and many of them are important pollinators and seed dispersers in tropical forests.",
    ),
    (
        "Canoe and Kayak",
        "Canoes and kayaks are narrow boats propelled by paddles rather than by oars fixed to the hull, and the paddlers face forward in the direction of travel. In a traditional open canoe the paddler kneels or sits on a raised seat and uses a single-bladed paddle, switching sides to steer. A kayak has a closed deck, and the paddler sits low with the legs stretched forward, using a paddle with a blade at each end. Whitewater slalom races require paddlers to steer through hanging gates on a fast, rocky course.",
    ),
    (
        "Watermill",
        "A watermill uses the energy of flowing water to turn a large wheel, which drives machinery through a system of wooden or iron gears. In an undershot wheel the water strikes the paddles at the bottom, while in an overshot wheel it is delivered onto the top through a channel called a leat, so that the weight of the falling water turns the wheel. Watermills ground grain into flour for centuries and were later adapted to saw timber, hammer iron, full cloth and pump water.",
    ),
    (
        "Pasta",
        "Dried pasta is made from durum wheat semolina mixed with water, pressed through bronze or plastic dies to form hundreds of different shapes and then dried slowly at controlled temperatures. Bronze dies leave a slightly rough surface that helps sauce cling to the pasta. Fresh pasta, common in northern Italy, is usually made with soft wheat flour and eggs and rolled into thin sheets for ribbons or filled shapes. Cooks traditionally pair thin, smooth shapes with light oil-based sauces and ridged or hollow shapes with chunky sauces.",
    ),
    (
        "Estuary",
        "An estuary is the partly enclosed stretch of water where a river meets the sea and fresh water mixes with salt water. Because the salinity changes with the tide, animals living there must tolerate constant shifts in their surroundings. Estuaries trap sediment carried down by rivers, forming mudflats and salt marshes that are rich in worms, shellfish and other food for wading birds. Many of the world's great ports grew up on estuaries, where sheltered deep water lay close to inland trade routes.",
    ),
    (
        "Film Photography",
        "Photographic film is a strip of plastic coated with an emulsion containing tiny crystals of silver halide, which change when struck by light. After exposure, the film is developed in a chemical bath that converts the affected crystals into metallic silver, forming a negative image in which light areas appear dark. A fixing bath then removes the unexposed crystals so that the film is no longer sensitive to light. Prints are made by shining light through the negative onto light-sensitive paper, which reverses the tones again.",
    ),
    (
        "Sundial",
        "A sundial tells the time from the position of a shadow cast by the Sun. Its pointer, called the gnomon, is usually set parallel to the Earth's axis, which means it is tilted at an angle equal to the local latitude and aimed at the celestial pole. As the Sun crosses the sky, the shadow moves across hour lines marked on the dial. Sundials show local solar time, which can differ by up to a quarter of an hour from clock time at different times of the year, and many carry a table of corrections.",
    ),
    (
        "Marrowby",
        "Marrowby is a market town in rolling sheep country whose charter to hold a weekly market dates from the thirteenth century. The wide main street was laid out to hold livestock pens on market days, and the stone market cross at its centre still serves as a meeting point. Every September the town hosts a horse fair that draws traders and visitors from across the region, and a covered wool hall built by local merchants in 1702 now houses a craft market and a café.",
    ),
    (
        "Bonsai",
        "Bonsai is the art of growing trees and shrubs in shallow containers and shaping them to resemble full-sized trees in miniature. Growers control the size and form of the tree by pruning branches and roots, pinching new shoots and wrapping branches with copper or aluminium wire, which is removed once the branch has set in its new position. Bonsai trees need careful watering because the small volume of soil dries out quickly. Well-kept specimens can live for centuries and are handed down through families.",
    ),
    (
        "Weather Front",
        "A weather front is the boundary between two air masses of different temperature and humidity. At a cold front, denser cold air pushes under warmer air and lifts it sharply, often producing a narrow band of heavy showers, gusty winds and sometimes thunderstorms, followed by clearer, cooler weather. At a warm front, warm air slides gradually up over retreating cold air, producing wide sheets of cloud and steady, prolonged rain. On weather maps cold fronts are drawn with triangles and warm fronts with semicircles.",
    ),
    (
        "Pottery Glaze",
        "A glaze is a thin layer of glass fused onto the surface of pottery during firing, making it waterproof and giving it colour and shine. Glazes are mixed from powdered minerals such as silica, which forms the glass, fluxes that lower its melting point, and alumina, which stiffens the melt so that it does not run off the pot. Metal oxides provide colour: copper can give greens or reds depending on the kiln atmosphere, cobalt produces intense blues and iron gives a range from pale celadon to deep brown.",
    ),
    (
        "Honey",
        "Honey is made by bees from flower nectar, which they carry back to the hive, mix with enzymes and spread in the wax cells of the comb. Worker bees fan their wings to evaporate water until the sugar concentration is so high that yeasts and bacteria cannot grow, and then seal the cells with wax. The colour and flavour of honey depend on the flowers visited, ranging from pale, mild clover honey to dark, strong buckwheat honey. Most honeys eventually crystallise, which is a natural process and does not mean they have spoiled.",
    ),
    (
        "Flag Semaphore",
        "Flag semaphore is a method of sending messages over a distance by holding two flags in particular positions, each combination of arm angles standing for a letter or number. It was widely used at sea between ships within sight of each other before radio became common, and it is still taught in some navies and scouting organisations. An earlier system of semaphore towers, with large movable arms on the roof, relayed messages across whole countries in the late eighteenth century, each tower watching the next through a telescope.",
    ),
    (
        "Rock Climbing",
        "Rock climbing takes many forms. In traditional climbing the leader places removable protection, such as metal wedges and spring-loaded cams, into cracks as they climb, and the second climber removes it. In sport climbing the route is equipped with permanent bolts to which the climber clips the rope. Bouldering involves short, difficult climbs close to the ground without a rope, with thick crash pads placed below to soften falls. Indoor climbing walls with coloured resin holds have made the sport popular in cities far from any natural rock.",
    ),
    (
        "Fish Sauce",
        "Fish sauce is a salty, amber liquid used as a seasoning throughout Southeast Asia. It is made by layering small fish, most often anchovies, with salt in large wooden barrels or clay jars and leaving them to ferment for a year or more. Over time, enzymes in the fish break down the flesh, and the liquid that drains from the bottom is collected and filtered. The first drawing is the most prized. A similar condiment made from fermented fish was widely used in the kitchens of the ancient Mediterranean.",
    ),
    (
        "Limestone Cave",
        "Most large caves form in limestone, a rock that dissolves slowly in rainwater made slightly acidic by carbon dioxide absorbed from the air and soil. Over hundreds of thousands of years, water seeping along cracks enlarges them into passages and chambers. Where water drips from the ceiling, it leaves behind tiny amounts of calcite that build up into icicle-shaped stalactites, while drips landing on the floor build upward-growing stalagmites. When the two meet, they form a column. Some cave systems extend for hundreds of kilometres.",
    ),
    (
        "Electric Guitar",
        "An electric guitar uses devices called pickups, made of magnets wrapped in thousands of turns of fine wire, to convert the vibrations of its steel strings into an electrical signal. The signal is sent through a cable to an amplifier and loudspeaker, and it can be altered along the way by effects units that add distortion, echo or other sounds. Because the sound does not depend on a hollow body, many electric guitars have a solid wooden body, which also reduces unwanted feedback at high volumes.",
    ),
    (
        "Sheepdog Trial",
        "A sheepdog trial is a competition in which a handler directs a working dog to gather a small group of sheep from a distant field and guide them through a course of gates into a pen. The handler must stay at a fixed post for most of the run and controls the dog entirely with whistles and spoken commands. Judges deduct points for sheep that stray off line, for a dog that grips a sheep and for exceeding the time limit. The best dogs work calmly, moving the flock steadily without alarming it.",
    ),
    (
        "Orvane Bridge",
        "The Orvane Bridge is a five-span stone bridge across the River Orvane, built between 1741 and 1746 to replace a wooden bridge swept away by ice. Its piers are shaped into pointed cutwaters on the upstream side to split the current and shed floating debris. For more than a century tolls were collected at a small house at the southern end, which still stands. Heavy traffic was diverted to a new concrete crossing in 1974, and the old bridge is now reserved for pedestrians and cyclists.",
    ),
    (
        "Typewriter",
        "The typewriter is a mechanical machine for writing in characters similar to print. Pressing a key swings a metal typebar upward so that its raised letter strikes an inked ribbon against the paper, and after each letter the carriage holding the paper moves one space to the left. At the end of a line the typist pushes a lever to return the carriage and advance the paper. Typewriters became common in offices in the late nineteenth century and remained so until personal computers replaced them in the 1980s and 1990s.",
    ),
    (
        "Rainbow",
        "A rainbow appears when sunlight shines on falling raindrops while the observer stands with the Sun behind them. Light entering each drop is bent, reflected once off the back of the drop and bent again as it leaves, and because different colours bend by slightly different amounts, white light is spread into a spectrum. The main bow always forms a circle around the point directly opposite the Sun, at an angle of about forty-two degrees. A fainter secondary bow, with its colours reversed, is sometimes visible outside the first.",
    ),
    (
        "Crossword Puzzle",
        "A crossword puzzle is a word game in which answers to clues are written into a grid of white and black squares, so that words running across share letters with words running down. American-style grids are usually symmetrical and densely interlocked, while British cryptic crosswords use clues that combine a straight definition with wordplay such as anagrams, hidden words and puns. Solvers must work out which part of the clue is the definition. Large newspapers have published daily crosswords for about a century, and tournaments are held for the fastest solvers.",
    ),
    (
        "Moss",
        "Mosses are small, non-flowering plants that lack true roots and instead anchor themselves with thin threads called rhizoids. Because they have no internal system for carrying water over long distances, they usually grow in dense, low cushions or carpets in damp, shady places, absorbing moisture directly through their leaves. Mosses reproduce by spores released from small capsules on slender stalks. Some species can dry out completely and then revive within minutes when rain returns, and bog mosses build up thick layers of peat over thousands of years.",
    ),
    (
        "Map Projection",
        "A map projection is a method of representing the curved surface of the Earth on a flat sheet, and every projection distorts something: shape, area, distance or direction. A projection that keeps the angles between directions correct, which is useful for navigation, must greatly exaggerate the size of regions near the poles. Equal-area projections show the correct relative sizes of countries but stretch their shapes. Mapmakers therefore choose a projection according to the purpose of the map and the part of the world it shows.",
    ),
    (
        "Fireworks",
        "Fireworks produce their colours from metal salts packed into small pellets called stars, which burn as they fly through the air after the shell bursts. Strontium compounds give red, barium green, copper blue and sodium a strong yellow. A typical aerial shell is launched from a tube by a charge of black powder at its base, while a time fuse burns during the climb and ignites the bursting charge near the top of its flight. Blue is notoriously the most difficult colour to produce brightly, because the compounds that emit it break down at high temperatures.",
    ),
]

# ---------------------------------------------------------------------------
# Writer
# ---------------------------------------------------------------------------
HERE = os.path.dirname(os.path.abspath(__file__))
VALIDATION_EVERY = 5  # every 5th article (index % 5 == 4) goes to validation


def _words(text):
    return len(text.split())


def check_content():
    titles = [t for t, _ in ARTICLES] + [t for t, _ in DISTRACTORS]
    assert len(set(titles)) == len(titles), "duplicate title"
    texts = [c for _, ps in ARTICLES for c, _ in ps] + [t for _, t in DISTRACTORS]
    assert len(set(texts)) == len(texts), "duplicate paragraph text"
    questions = [q for _, ps in ARTICLES for _, qas in ps for q, _ in qas]
    assert len(set(questions)) == len(questions), "duplicate question"
    for title, paragraphs in ARTICLES:
        assert 1 <= len(paragraphs) <= 3, title
        for context, qas in paragraphs:
            n = _words(context)
            assert 60 <= n <= 160 or 250 <= n <= 400, (title, n, context[:60])
            assert context == context.strip() and "  " not in context, (title, context[:60])
            assert qas, (title, context[:60])
            for question, answer in qas:
                assert question.endswith("?"), question
                assert answer and answer == answer.strip(), (title, answer)
                assert context.find(answer) != -1, (title, question, answer)
    for title, text in DISTRACTORS:
        n = _words(text)
        assert 40 <= n <= 200, (title, n)
        assert text == text.strip() and "  " not in text, title


def build():
    check_content()
    splits = {"train": [], "validation": []}
    corpus = []
    qnum = 0
    pnum = 0
    for i, (title, paragraphs) in enumerate(ARTICLES):
        split = "validation" if i % VALIDATION_EVERY == VALIDATION_EVERY - 1 else "train"
        out_pars = []
        for context, qas in paragraphs:
            pnum += 1
            corpus.append({"id": "p%04d" % pnum, "title": title, "text": context})
            out_qas = []
            for question, answer in qas:
                qnum += 1
                start = context.find(answer)
                assert context[start : start + len(answer)] == answer
                out_qas.append(
                    {
                        "id": "demo-%04d" % qnum,
                        "question": question,
                        "answers": [{"text": answer, "answer_start": start}],
                    }
                )
            out_pars.append({"context": context, "qas": out_qas})
        splits[split].append({"title": title, "paragraphs": out_pars})
    for title, text in DISTRACTORS:
        pnum += 1
        corpus.append({"id": "p%04d" % pnum, "title": title, "text": text})
    return splits, corpus


def counts(articles):
    n_par = sum(len(a["paragraphs"]) for a in articles)
    n_q = sum(len(p["qas"]) for a in articles for p in a["paragraphs"])
    return len(articles), n_par, n_q


def main():
    splits, corpus = build()
    for split, articles in splits.items():
        with open(os.path.join(HERE, split + ".json"), "w", encoding="utf-8") as f:
            json.dump({"version": "demo-1.0", "data": articles}, f, ensure_ascii=False, indent=1)
            f.write("\n")
    with open(os.path.join(HERE, "corpus.jsonl"), "w", encoding="utf-8") as f:
        for row in corpus:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")

    tr, va = counts(splits["train"]), counts(splits["validation"])
    n_long = sum(1 for _, ps in ARTICLES for c, _ in ps if _words(c) >= 250)
    summary = (
        "train: %d articles, %d paragraphs, %d questions; "
        "validation: %d articles, %d paragraphs, %d questions; "
        "corpus.jsonl: %d passages (%d question paragraphs, %d of them 250+ words, plus %d distractors)."
        % (tr + va + (len(corpus), tr[1] + va[1], n_long, len(DISTRACTORS)))
    )
    readme = (
        "# Demo data\n\n"
        "Small English SQuAD-1.1-style data set written from scratch for this project "
        "(invented places and general-knowledge topics; no text copied from any source), "
        "released under CC0 1.0 and generated by `make_demo_data.py`.\n\n"
        "Counts: " + summary + "\n"
    )
    with open(os.path.join(HERE, "README.md"), "w", encoding="utf-8") as f:
        f.write(readme)
    print(summary)


if __name__ == "__main__":
    main()
